//! Spindle's desktop trace viewer: open trace files in any format `spindle-formats` reads and
//! read them at a glance: trace list, waterfall, flame graphs, span details, search.
//!
//! Data flows one way: files → `spindle-formats` → [`index`] → [`layout`] → [`views`]. Loading and
//! indexing run on a background thread ([`load`]); views only touch what is on screen.
#![forbid(unsafe_code)]

pub mod analysis;
pub mod app;
pub mod backends;
pub mod colors;
pub mod filter;
pub mod fixture;
pub mod focus;
pub mod index;
pub mod layout;
pub mod live;
pub mod load;
pub mod receive;
pub mod report;
pub mod report_compare;
pub mod text;
pub mod units;
pub mod views;

pub use app::ViewerApp;
pub use eframe;
