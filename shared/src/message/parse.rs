//! Reading a message template once into a tree: text, placeholders
//! (`{{name}}`, `{{شهر|تهران}}`) and spintax choices (`{سلام|درود}`, nested;
//! braces without a `|` are plain text). `\{`, `\}`, `\|` and `\\` stand
//! for the character itself.
//!
//! Hostile input must not hurt: the parser is a loop over the characters
//! with an explicit stack (no recursion), refuses more than [`MAX_CHARS`]
//! characters and more than [`MAX_DEPTH`] nested choices up front, and
//! every error names the 1-based character position where it was found.

pub const MAX_CHARS: usize = crate::domain::campaign_text::MESSAGE_MAX_CHARS;
/// Choices inside choices, at most. Rendering walks the tree recursively,
/// so this also bounds the recursion there.
pub const MAX_DEPTH: usize = 8;
/// Choices in one template, at most (each one is a deterministic draw).
pub const MAX_CHOICES: usize = 256;
const KEY_MAX_CHARS: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Text(String),
    Placeholder(Placeholder),
    /// One of the options is chosen; `index` numbers the choices of a
    /// template in reading order, so each recipient's draw is stable.
    Choice {
        index: usize,
        options: Vec<Vec<Node>>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    /// As written, trimmed (`شهر`, `name`).
    pub key: String,
    pub fallback: Option<String>,
    /// 1-based character position of its `{{`.
    pub position: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("is longer than {max} characters (position {position})")]
    TooLong { max: usize, position: usize },
    #[error("has a '{{' at position {position} that is never closed")]
    Unclosed { position: usize },
    #[error("has a '}}' at position {position} that closes nothing (write \\}} for the character)")]
    UnexpectedClose { position: usize },
    #[error("nests choices deeper than {max} levels (position {position})")]
    TooDeep { max: usize, position: usize },
    #[error("has more than {max} choices (position {position})")]
    TooManyChoices { max: usize, position: usize },
    #[error("has an empty or too long placeholder name at position {position}")]
    BadPlaceholder { position: usize },
}

impl TemplateError {
    pub fn position(&self) -> usize {
        match self {
            TemplateError::TooLong { position, .. }
            | TemplateError::Unclosed { position }
            | TemplateError::UnexpectedClose { position }
            | TemplateError::TooDeep { position, .. }
            | TemplateError::TooManyChoices { position, .. }
            | TemplateError::BadPlaceholder { position } => *position,
        }
    }
}

/// An open choice: where it started, the options done so far, the one
/// being read.
struct Frame {
    position: usize,
    index: usize,
    options: Vec<Vec<Node>>,
    current: Vec<Node>,
}

pub(super) fn parse(source: &str) -> Result<Vec<Node>, TemplateError> {
    if source.chars().nth(MAX_CHARS).is_some() {
        return Err(TemplateError::TooLong { max: MAX_CHARS, position: MAX_CHARS + 1 });
    }
    let chars: Vec<char> = source.chars().collect();
    let mut root: Vec<Node> = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut text = String::new();
    let mut choices = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let position = i + 1;
        match c {
            '\\' if i + 1 < chars.len() && matches!(chars[i + 1], '{' | '}' | '|' | '\\') => {
                text.push(chars[i + 1]);
                i += 2;
                continue;
            }
            '{' if chars.get(i + 1) == Some(&'{') => {
                if let Some((placeholder, end)) = placeholder_at(&chars, i)? {
                    flush(&mut text, current(&mut root, &mut stack));
                    current(&mut root, &mut stack).push(Node::Placeholder(placeholder));
                    i = end;
                    continue;
                }
                open(&mut stack, &mut text, &mut root, &mut choices, position)?;
            }
            '{' => open(&mut stack, &mut text, &mut root, &mut choices, position)?,
            '|' if !stack.is_empty() => {
                let frame = stack.last_mut().expect("checked");
                flush(&mut text, &mut frame.current);
                frame.options.push(std::mem::take(&mut frame.current));
            }
            '}' => {
                let Some(mut frame) = stack.pop() else { return Err(TemplateError::UnexpectedClose { position }) };
                flush(&mut text, &mut frame.current);
                frame.options.push(frame.current);
                let into = current(&mut root, &mut stack);
                if frame.options.len() == 1 {
                    // `{word}` without a `|` is no choice: the text as
                    // written (messages like "سلام {name}" predate templates).
                    let inner = frame.options.pop().expect("one option");
                    push_text(into, "{");
                    for node in inner {
                        match node {
                            Node::Text(t) => push_text(into, &t),
                            other => into.push(other),
                        }
                    }
                    push_text(into, "}");
                } else {
                    into.push(Node::Choice { index: frame.index, options: frame.options });
                }
            }
            _ => text.push(c),
        }
        i += 1;
    }
    if let Some(frame) = stack.first() {
        return Err(TemplateError::Unclosed { position: frame.position });
    }
    flush(&mut text, &mut root);
    Ok(root)
}

fn open(
    stack: &mut Vec<Frame>,
    text: &mut String,
    root: &mut Vec<Node>,
    choices: &mut usize,
    position: usize,
) -> Result<(), TemplateError> {
    if stack.len() >= MAX_DEPTH {
        return Err(TemplateError::TooDeep { max: MAX_DEPTH, position });
    }
    if *choices >= MAX_CHOICES {
        return Err(TemplateError::TooManyChoices { max: MAX_CHOICES, position });
    }
    flush(text, current(root, stack));
    stack.push(Frame { position, index: *choices, options: Vec::new(), current: Vec::new() });
    *choices += 1;
    Ok(())
}

fn current<'a>(root: &'a mut Vec<Node>, stack: &'a mut [Frame]) -> &'a mut Vec<Node> {
    match stack.last_mut() {
        Some(frame) => &mut frame.current,
        None => root,
    }
}

fn flush(text: &mut String, into: &mut Vec<Node>) {
    if text.is_empty() {
        return;
    }
    push_text(into, text);
    text.clear();
}

fn push_text(into: &mut Vec<Node>, text: &str) {
    match into.last_mut() {
        Some(Node::Text(previous)) => previous.push_str(text),
        _ => into.push(Node::Text(text.to_owned())),
    }
}

/// `{{key}}` or `{{key|fallback}}` starting at `start`, with the index just
/// past its `}}`. `None` when the braces are not a placeholder (a choice
/// nested first thing in a choice, `{{a|b}|c}`): the scan stops at the
/// first brace, so it costs at most the placeholder's own length.
fn placeholder_at(chars: &[char], start: usize) -> Result<Option<(Placeholder, usize)>, TemplateError> {
    let mut inner = String::new();
    let mut i = start + 2;
    while i < chars.len() {
        match chars[i] {
            '\\' if i + 1 < chars.len() && matches!(chars[i + 1], '{' | '}' | '|' | '\\') => {
                // Keep the escape: a `|` escaped in the fallback stays text.
                inner.push(chars[i]);
                inner.push(chars[i + 1]);
                i += 2;
            }
            '}' if chars.get(i + 1) == Some(&'}') => {
                let position = start + 1;
                let (key, fallback) = split_key(&inner);
                let key = key.trim();
                if key.is_empty() || key.chars().count() > KEY_MAX_CHARS {
                    return Err(TemplateError::BadPlaceholder { position });
                }
                let placeholder = Placeholder { key: key.to_owned(), fallback, position };
                return Ok(Some((placeholder, i + 2)));
            }
            '{' | '}' | '\n' => return Ok(None),
            c => {
                inner.push(c);
                i += 1;
            }
        }
    }
    Ok(None)
}

/// The key before the first unescaped `|`, and the fallback after it
/// (unescaped, trimmed).
fn split_key(inner: &str) -> (String, Option<String>) {
    let mut key = String::new();
    let mut fallback: Option<String> = None;
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '|' && fallback.is_none() {
            fallback = Some(String::new());
            continue;
        }
        let target = fallback.as_mut().unwrap_or(&mut key);
        match c {
            '\\' => target.extend(chars.next()),
            c => target.push(c),
        }
    }
    // `{{شهر|}}`: an empty fallback is still one (nothing if the cell is empty).
    let fallback = fallback.map(|f| f.trim().to_owned());
    (key, fallback)
}
