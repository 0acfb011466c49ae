//! `SPINDLE_SAMPLING_RULES`: sampling rules as text, and the located errors of reading them.
//!
//! ```text
//! rules     = rule *( ";" rule )               empty rules are skipped
//! rule      = ( "*" / condition *( "," condition ) ) "->" ratio
//! condition = "name" "=" values                the name is one of the values
//!           / "name" "^=" value                the name starts with the value
//!           / "kind" "=" kind                  server, client, producer, consumer, internal
//!           / "attr." key "=" values           the builder attribute is one of the values
//! values    = value *( "|" value )
//! value     = '"' text '"'                     \" and \\ inside quotes
//!           / bare text                        up to , ; | or ->, spaces around it trimmed
//! ratio     = a number from 0 to 1 / "drop" / "keep"
//! ```
//!
//! For example `attr.url.path=/health|/metrics -> drop; kind=server, name^=GET /search -> 0.1`.

use std::fmt;

use spindle_formats::{SpanKind, Value};

use super::Sampler;
use super::rules::{Rule, RuleSampler};

/// The environment variable holding sampling rules.
pub const ENV_SAMPLING_RULES: &str = "SPINDLE_SAMPLING_RULES";

/// Why sampling rules could not be read, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulesError {
    /// The rule (1 for the first).
    pub rule: usize,
    /// The character of the whole text (1 for the first).
    pub column: usize,
    /// What was wrong there.
    pub problem: String,
}

impl fmt::Display for RulesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{ENV_SAMPLING_RULES}: rule {}, character {}: {}",
            self.rule, self.column, self.problem
        )
    }
}

impl std::error::Error for RulesError {}

impl RuleSampler {
    /// Reads rules in the `SPINDLE_SAMPLING_RULES` grammar; spans no rule matches go to
    /// `default`.
    ///
    /// ```
    /// use spindle::sampler::{RuleSampler, Sampler};
    /// let rules = RuleSampler::parse("attr.url.path=/health|/metrics -> drop; * -> 0.5", Sampler::AlwaysOn).unwrap();
    /// assert_eq!(rules.rule_list().len(), 2);
    /// let error = RuleSampler::parse("name=a -> 2", Sampler::AlwaysOn).unwrap_err();
    /// assert_eq!((error.rule, error.column), (1, 11));
    /// ```
    pub fn parse(text: &str, default: Sampler) -> Result<RuleSampler, RulesError> {
        let mut parser = Parser {
            text,
            pos: 0,
            rule: 0,
        };
        Ok(RuleSampler::new(default).rules(parser.rules()?))
    }
}

/// A cursor over the rules' text. Positions are byte offsets that always sit on a character
/// boundary (the parser stops only at ASCII delimiters).
struct Parser<'a> {
    text: &'a str,
    pos: usize,
    rule: usize,
}

impl<'a> Parser<'a> {
    fn error(&self, at: usize, problem: impl Into<String>) -> RulesError {
        RulesError {
            rule: self.rule.max(1),
            column: self.text[..at].chars().count() + 1,
            problem: problem.into(),
        }
    }

    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn skip_spaces(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start().len();
    }

    /// Consumes `token` if the text goes on with it.
    fn eat(&mut self, token: &str) -> bool {
        let found = self.rest().starts_with(token);
        if found {
            self.pos += token.len();
        }
        found
    }

    fn rules(&mut self) -> Result<Vec<Rule>, RulesError> {
        let mut rules = Vec::new();
        loop {
            self.skip_spaces();
            if self.peek().is_none() {
                return Ok(rules);
            }
            if self.eat(";") {
                continue;
            }
            self.rule += 1;
            rules.push(self.rule_text()?);
            self.skip_spaces();
            if self.peek().is_some() && !self.eat(";") {
                return Err(self.error(self.pos, "expected ';' before the next rule"));
            }
        }
    }

    fn rule_text(&mut self) -> Result<Rule, RulesError> {
        let mut conditions = Vec::new();
        if !self.eat("*") {
            loop {
                conditions.push(self.condition()?);
                self.skip_spaces();
                if !self.eat(",") {
                    break;
                }
            }
        }
        self.skip_spaces();
        if !self.eat("->") {
            return Err(self.error(self.pos, "expected ',' or '->' and a ratio"));
        }
        let rule = Rule::ratio(self.ratio()?);
        Ok(conditions.into_iter().fold(rule, Condition::apply))
    }

    fn ratio(&mut self) -> Result<f64, RulesError> {
        self.skip_spaces();
        let start = self.pos;
        let end = self
            .rest()
            .find(';')
            .map_or(self.text.len(), |i| self.pos + i);
        let word = self.text[start..end].trim_end();
        self.pos = start + word.len();
        match word {
            "drop" => Ok(0.0),
            "keep" => Ok(1.0),
            _ => match word.parse::<f64>() {
                Ok(r) if (0.0..=1.0).contains(&r) => Ok(r),
                _ => Err(self.error(start, format!("ratio {word:?} is not 0 to 1, drop or keep"))),
            },
        }
    }

    fn condition(&mut self) -> Result<Condition, RulesError> {
        self.skip_spaces();
        let start = self.pos;
        let len = self
            .rest()
            .find(|c: char| c == '=' || c == '^' || c.is_whitespace() || ",;|\"".contains(c))
            .unwrap_or(self.rest().len());
        let field = &self.text[start..start + len];
        self.pos += len;
        self.skip_spaces();
        let prefix = self.eat("^=");
        if !prefix && !self.eat("=") {
            return Err(self.error(self.pos, format!("expected '=' or '^=' after {field:?}")));
        }
        match (field, prefix) {
            ("name", true) => Ok(Condition::NamePrefix(self.value()?)),
            ("name", false) => Ok(Condition::Names(self.values()?)),
            ("kind", false) => self.kind(),
            (attr, false) if attr.starts_with("attr.") && attr.len() > 5 => {
                Ok(Condition::Attribute(attr[5..].to_string(), self.values()?))
            }
            (_, true) => Err(self.error(start, "'^=' (prefix) is for name only")),
            _ => Err(self.error(
                start,
                format!("unknown field {field:?} (name, kind, attr.KEY)"),
            )),
        }
    }

    fn kind(&mut self) -> Result<Condition, RulesError> {
        self.skip_spaces();
        let start = self.pos;
        let word = self.value()?;
        let kind = match word.to_ascii_lowercase().as_str() {
            "server" => SpanKind::Server,
            "client" => SpanKind::Client,
            "producer" => SpanKind::Producer,
            "consumer" => SpanKind::Consumer,
            "internal" => SpanKind::Internal,
            _ => return Err(self.error(start, format!("unknown kind {word:?}"))),
        };
        Ok(Condition::Kind(kind))
    }

    fn values(&mut self) -> Result<Vec<String>, RulesError> {
        let mut values = vec![self.value()?];
        loop {
            self.skip_spaces();
            if !self.eat("|") {
                return Ok(values);
            }
            values.push(self.value()?);
        }
    }

    fn value(&mut self) -> Result<String, RulesError> {
        self.skip_spaces();
        if self.peek() == Some(b'"') {
            return self.quoted();
        }
        let start = self.pos;
        let rest = self.rest();
        let stop = rest
            .find(|c: char| ",;|\"".contains(c))
            .unwrap_or(rest.len());
        let stop = rest[..stop].find("->").unwrap_or(stop);
        let value = rest[..stop].trim_end();
        self.pos += value.len();
        if value.is_empty() {
            return Err(self.error(start, "expected a value"));
        }
        Ok(value.to_string())
    }

    fn quoted(&mut self) -> Result<String, RulesError> {
        let open = self.pos;
        self.pos += 1;
        let mut value = String::new();
        let mut chars = self.rest().char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.pos += i + 1;
                    return Ok(value);
                }
                '\\' => match chars.next() {
                    Some((_, e @ ('"' | '\\'))) => value.push(e),
                    _ => return Err(self.error(self.pos + i, "only \\\" and \\\\ are escapes")),
                },
                c => value.push(c),
            }
        }
        Err(self.error(open, "unclosed '\"'"))
    }
}

/// One condition as read, before it is added to its rule.
enum Condition {
    Names(Vec<String>),
    NamePrefix(String),
    Kind(SpanKind),
    Attribute(String, Vec<String>),
}

impl Condition {
    fn apply(rule: Rule, condition: Condition) -> Rule {
        match condition {
            Condition::Names(names) => rule.name_any_of(names),
            Condition::NamePrefix(prefix) => rule.name_prefix(prefix),
            Condition::Kind(kind) => rule.kind(kind),
            Condition::Attribute(key, values) => {
                rule.attribute_any_of(key, values.into_iter().map(Value::from))
            }
        }
    }
}
