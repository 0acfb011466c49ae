//! TEMPORARY placeholder until the codec lands.
use crate::TraceData;
pub fn write(_data: &TraceData, _out: &mut impl std::io::Write) -> std::io::Result<()> {
    Ok(())
}
