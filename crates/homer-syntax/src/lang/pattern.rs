//! A small matcher for the subset of the tree-sitter query language that
//! the language queries use, run inside one walk of the syntax tree.
//!
//! Why not `tree_sitter::QueryCursor`: its traversal alone costs about half
//! of the parse (measured on ripgrep: 110 ms for a one-pattern query next
//! to 222 ms of parsing), because it tracks every pattern's state at every
//! node. The patterns here are shallow (a node, its fields, a few
//! children), so a pre-order cursor walk that looks up the patterns rooted
//! at each node's kind and checks them on the spot costs a fraction of that.
//! The query text stays the specification: a test checks that this
//! matcher and tree-sitter's own engine find the same matches on the
//! fixtures and on every file of the corpus.
//!
//! Supported: `(kind ...)`, `(_)`, `_`, `"literal"`, `[alternatives]`,
//! `field: pattern`, `!field`, unfielded child patterns in order, the `.`
//! anchor (first, last, and between children), several captures on one
//! pattern, and the `#eq?`, `#any-of?` and `#not-any-of?` predicates. Anything else is a
//! compile error, reported with the offending text.

use std::num::NonZeroU16;

use tree_sitter::{Language, Node, TreeCursor};

/// A compiled set of patterns for one grammar.
pub(crate) struct Patterns {
    list: Vec<Pattern>,
    /// Pattern indices by the kind id of the node they are rooted at.
    by_kind: Vec<Vec<u16>>,
    /// By kind id: whether a pattern rooted there looks at the children.
    wants_kids: Vec<bool>,
    capture_names: Vec<String>,
}

/// One top-level pattern.
struct Pattern {
    root: Pat,
    predicates: Vec<Predicate>,
}

enum Predicate {
    /// `#eq?` and `#any-of?`: the capture's text is one of these.
    AnyOf { capture: u16, texts: Vec<String> },
    /// `#not-any-of?`: the capture's text is none of these.
    NoneOf { capture: u16, texts: Vec<String> },
}

/// What a node must be.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Test {
    /// A node of this kind id (named or anonymous, as the id says).
    Kind(u16),
    /// `(_)`: any named node.
    Named,
    /// `_`: any node.
    Any,
}

struct Pat {
    /// `[a b]`: any one of these (the other fields are then unused but for
    /// `captures`).
    alternatives: Vec<Pat>,
    test: Test,
    captures: Vec<u16>,
    fields: Vec<(NonZeroU16, Pat)>,
    negated: Vec<NonZeroU16>,
    children: Vec<Step>,
    /// A `.` after the last child: no named node follows it.
    anchored_last: bool,
}

struct Step {
    pat: Pat,
    /// A `.` before this child: no named node stands between it and the
    /// previous step's node (or the start, for the first step).
    immediate: bool,
}

impl Pat {
    fn new(test: Test) -> Self {
        Pat {
            alternatives: Vec::new(),
            test,
            captures: Vec::new(),
            fields: Vec::new(),
            negated: Vec::new(),
            children: Vec::new(),
            anchored_last: false,
        }
    }

    /// Whether matching needs the node's children.
    fn needs_kids(&self) -> bool {
        !(self.fields.is_empty() && self.children.is_empty() && self.negated.is_empty())
            || self.alternatives.iter().any(Pat::needs_kids)
    }
}

/// A capture of one match: the capture's index and the node.
pub(crate) type Capture<'t> = (u16, Node<'t>);

impl Patterns {
    /// Compiles `source` against `language`.
    pub(crate) fn new(language: &Language, source: &str) -> Result<Self, String> {
        let mut parser = Reader {
            text: source,
            pos: 0,
            language,
            capture_names: Vec::new(),
        };
        let mut patterns = Vec::new();
        loop {
            parser.skip_space();
            if parser.pos >= source.len() {
                break;
            }
            let (root, predicates) = parser.top()?;
            patterns.push(Pattern { root, predicates });
        }
        let mut by_kind = vec![Vec::new(); language.node_kind_count()];
        for (index, pattern) in patterns.iter().enumerate() {
            let index = u16::try_from(index).map_err(|_| "too many patterns".to_owned())?;
            let roots: Vec<&Pat> = if pattern.root.alternatives.is_empty() {
                vec![&pattern.root]
            } else {
                pattern.root.alternatives.iter().collect()
            };
            for root in roots {
                match root.test {
                    Test::Kind(id) => by_kind[usize::from(id)].push(index),
                    Test::Named | Test::Any => {
                        return Err("a pattern must start with a node kind".to_owned());
                    }
                }
            }
        }
        for list in &mut by_kind {
            list.dedup();
        }
        let wants_kids = by_kind
            .iter()
            .map(|list| {
                list.iter()
                    .any(|&i| patterns[usize::from(i)].root.needs_kids())
            })
            .collect();
        Ok(Patterns {
            list: patterns,
            by_kind,
            wants_kids,
            capture_names: parser.capture_names,
        })
    }

    pub(crate) fn capture_names(&self) -> &[String] {
        &self.capture_names
    }

    /// Calls `found(pattern, captures, in_error)` for every match in the
    /// tree under `root`, walking it once: a node's matches come after its
    /// descendants' (post-order), and at one node patterns come in the
    /// order they are written. `in_error` says that
    /// the match lies inside an `ERROR` node: the parser could not read
    /// that stretch, and what it made of it may be nonsense.
    pub(crate) fn for_each_match<'t>(
        &self,
        root: Node<'t>,
        source: &[u8],
        found: &mut dyn FnMut(usize, &[Capture<'t>], bool),
    ) {
        // Patterns are tried at a node once the walk has been through its
        // children (post-order), so the walk itself collects the children
        // the patterns look at: reading them again cost 5% of extraction.
        let mut walk = root.walk();
        let mut open: Vec<Frame<'t>> = Vec::new();
        // ERROR nodes among the ancestors of the current node.
        let mut errors = 0usize;
        let mut scratch = Scratch {
            cursor: root.walk(),
            pool: Vec::new(),
        };
        let mut captures: Vec<Capture<'t>> = Vec::new();
        let mut at = |node: Node<'t>,
                      kids: Option<&[Kid<'t>]>,
                      in_error: bool,
                      scratch: &mut Scratch<'t>| {
            for &index in self.rooted_at(node) {
                let pattern = &self.list[usize::from(index)];
                captures.clear();
                match_pat(
                    &pattern.root,
                    node,
                    kids,
                    &mut captures,
                    scratch,
                    &mut |caps, _| {
                        if pattern.predicates.iter().all(|p| p.holds(caps, source)) {
                            found(usize::from(index), caps, in_error);
                        }
                    },
                );
            }
        };
        'tree: loop {
            let node = walk.node();
            if let Some(Frame {
                kids: Some(kids), ..
            }) = open.last_mut()
            {
                kids.push(Kid {
                    node,
                    field: walk.field_id().map_or(0, NonZeroU16::get),
                });
            }
            if walk.goto_first_child() {
                let kids = self.wants_kids(node).then(|| {
                    // A reused vector when the pool has one, else a new one.
                    let mut kids = scratch.pool.pop().unwrap_or_default();
                    kids.clear();
                    kids
                });
                errors += usize::from(untrusted(node));
                open.push(Frame { node, kids });
                continue;
            }
            // A leaf: no children to wait for.
            at(node, Some(&[]), errors > 0, &mut scratch);
            loop {
                if walk.goto_next_sibling() {
                    continue 'tree;
                }
                if !walk.goto_parent() {
                    break 'tree;
                }
                let Some(frame) = open.pop() else {
                    break 'tree;
                };
                errors -= usize::from(untrusted(frame.node));
                at(frame.node, frame.kids.as_deref(), errors > 0, &mut scratch);
                if let Some(kids) = frame.kids {
                    scratch.pool.push(kids);
                }
            }
        }
    }

    /// The patterns rooted at a node of this kind.
    fn rooted_at(&self, node: Node<'_>) -> &[u16] {
        self.by_kind
            .get(usize::from(node.kind_id()))
            .map_or(&[], Vec::as_slice)
    }

    /// Whether a pattern rooted at this node looks at its children.
    fn wants_kids(&self, node: Node<'_>) -> bool {
        self.wants_kids
            .get(usize::from(node.kind_id()))
            .copied()
            .unwrap_or(false)
    }
}

/// A node whose children the walk is in.
struct Frame<'t> {
    node: Node<'t>,
    /// Its children so far, when a pattern rooted at it looks at them.
    kids: Option<Vec<Kid<'t>>>,
}

/// A child of a node and its field id (0 for none).
#[derive(Clone, Copy)]
struct Kid<'t> {
    node: Node<'t>,
    field: u16,
}

/// Reused across matches: one cursor to read children with, and spare
/// buffers to read them into (a fresh cursor and vector per node cost a
/// tenth of the whole extraction, measured).
struct Scratch<'t> {
    cursor: TreeCursor<'t>,
    pool: Vec<Vec<Kid<'t>>>,
}

impl<'t> Scratch<'t> {
    /// The children of `node`, in a buffer to hand back to `pool`.
    fn kids(&mut self, node: Node<'t>) -> Vec<Kid<'t>> {
        // A reused vector when the pool has one, else a new one.
        let mut kids = self.pool.pop().unwrap_or_default();
        kids.clear();
        self.cursor.reset(node);
        if self.cursor.goto_first_child() {
            loop {
                kids.push(Kid {
                    node: self.cursor.node(),
                    field: self.cursor.field_id().map_or(0, NonZeroU16::get),
                });
                if !self.cursor.goto_next_sibling() {
                    break;
                }
            }
        }
        kids
    }
}

impl Predicate {
    fn holds(&self, captures: &[Capture<'_>], source: &[u8]) -> bool {
        match self {
            Predicate::AnyOf { capture, texts } => captures
                .iter()
                .filter(|(c, _)| c == capture)
                .all(|(_, node)| {
                    let text = &source[node.byte_range()];
                    texts.iter().any(|t| t.as_bytes() == text)
                }),
            Predicate::NoneOf { capture, texts } => captures
                .iter()
                .filter(|(c, _)| c == capture)
                .all(|(_, node)| {
                    let text = &source[node.byte_range()];
                    !texts.iter().any(|t| t.as_bytes() == text)
                }),
        }
    }
}

fn test(test: Test, node: Node<'_>) -> bool {
    match test {
        Test::Kind(id) => node.kind_id() == id,
        Test::Named => node.is_named(),
        Test::Any => true,
    }
}

/// What a match goes on with: the captures so far, which it may extend
/// (and must restore) before it hands them to the next continuation.
type Then<'a, 't> = &'a mut dyn FnMut(&mut Vec<Capture<'t>>, &mut Scratch<'t>);

/// Matches `pat` at `node`, calling `k` once for each way it matches (a
/// pattern with child steps may match several ways, as in tree-sitter).
/// `kids` are the node's children when the caller has read them.
fn match_pat<'t>(
    pat: &Pat,
    node: Node<'t>,
    kids: Option<&[Kid<'t>]>,
    captures: &mut Vec<Capture<'t>>,
    scratch: &mut Scratch<'t>,
    k: Then<'_, 't>,
) {
    let mark = captures.len();
    if !pat.alternatives.is_empty() {
        for alternative in &pat.alternatives {
            push_captures(pat, node, captures);
            match_pat(alternative, node, kids, captures, scratch, k);
            captures.truncate(mark);
        }
        return;
    }
    if !test(pat.test, node) {
        return;
    }
    if !pat.needs_kids() {
        push_captures(pat, node, captures);
        k(captures, scratch);
        captures.truncate(mark);
        return;
    }
    if kids.is_none() && first_child_decides(pat, node, captures, scratch, k) {
        captures.truncate(mark);
        return;
    }
    let mut owned = None;
    let kids = match kids {
        Some(kids) => kids,
        None => owned.insert(scratch.kids(node)).as_slice(),
    };
    if !pat
        .negated
        .iter()
        .any(|f| kids.iter().any(|kid| kid.field == f.get()))
    {
        push_captures(pat, node, captures);
        match_fields(pat, &pat.fields, kids, captures, scratch, k);
        captures.truncate(mark);
    }
    if let Some(owned) = owned {
        scratch.pool.push(owned);
    }
}

/// A fast path for `(kind . "x")`-like patterns, one anchored step that
/// needs no children of its own: when the node's first child matches, that
/// is the only match there can be before a named child (a literal matches
/// one kind), and reading one child is much cheaper than reading them all
/// (a Rust macro body is a token tree in token trees). Returns whether it
/// decided; when it did not, nothing was matched.
fn first_child_decides<'t>(
    pat: &Pat,
    node: Node<'t>,
    captures: &mut Vec<Capture<'t>>,
    scratch: &mut Scratch<'t>,
    k: Then<'_, 't>,
) -> bool {
    let [step] = pat.children.as_slice() else {
        return false;
    };
    if !(step.immediate
        && pat.fields.is_empty()
        && pat.negated.is_empty()
        && !pat.anchored_last
        && step.pat.alternatives.is_empty()
        && !step.pat.needs_kids())
    {
        return false;
    }
    let Test::Kind(kind) = step.pat.test else {
        return false;
    };
    let Some(first) = node.child(0) else {
        // No children: nothing can match.
        return true;
    };
    if first.kind_id() == kind {
        push_captures(pat, node, captures);
        push_captures(&step.pat, first, captures);
        k(captures, scratch);
        return true;
    }
    // A named first child that is not the kind ends the anchored range.
    first.is_named()
}

fn push_captures<'t>(pat: &Pat, node: Node<'t>, captures: &mut Vec<Capture<'t>>) {
    captures.extend(pat.captures.iter().map(|&c| (c, node)));
}

/// Matches the field patterns `fields` of `pat` (every child with the
/// field is tried), then its child steps.
fn match_fields<'t>(
    pat: &Pat,
    fields: &[(NonZeroU16, Pat)],
    kids: &[Kid<'t>],
    captures: &mut Vec<Capture<'t>>,
    scratch: &mut Scratch<'t>,
    k: Then<'_, 't>,
) {
    let Some(((field, sub), rest)) = fields.split_first() else {
        if pat.children.is_empty() {
            k(captures, scratch);
        } else {
            match_steps(pat, &pat.children, kids, None, captures, scratch, k);
        }
        return;
    };
    for kid in kids.iter().filter(|kid| kid.field == field.get()) {
        match_pat(sub, kid.node, None, captures, scratch, &mut |c, s| {
            match_fields(pat, rest, kids, c, s, k);
        });
    }
}

/// Matches child steps in order against `kids`, the first after the node
/// `previous` matched.
fn match_steps<'t>(
    pat: &Pat,
    steps: &[Step],
    kids: &[Kid<'t>],
    previous: Option<usize>,
    captures: &mut Vec<Capture<'t>>,
    scratch: &mut Scratch<'t>,
    k: Then<'_, 't>,
) {
    let start = previous.map_or(0, |p| p + 1);
    let Some((step, rest)) = steps.split_first() else {
        if !pat.anchored_last || !kids[start..].iter().any(|kid| kid.node.is_named()) {
            k(captures, scratch);
        }
        return;
    };
    // An anchor, as in tree-sitter, means that no named node stands
    // between: anonymous ones (punctuation) may. So an anchored step tries
    // each node up to and including the first named one.
    let end = if step.immediate {
        kids[start..]
            .iter()
            .position(|kid| kid.node.is_named())
            .map_or(kids.len(), |i| start + i + 1)
    } else {
        kids.len()
    };
    for j in start..end {
        match_pat(
            &step.pat,
            kids[j].node,
            None,
            captures,
            scratch,
            &mut |c, s| {
                match_steps(pat, rest, kids, Some(j), c, s, k);
            },
        );
    }
}

impl Reader<'_> {
    fn error<T>(&self, what: &str) -> Result<T, String> {
        let rest: String = self.text[self.pos..].chars().take(40).collect();
        Err(format!("{what} at byte {}: `{rest}`", self.pos))
    }

    fn skip_space(&mut self) {
        loop {
            let rest = &self.text[self.pos..];
            let trimmed = rest.trim_start();
            self.pos += rest.len() - trimmed.len();
            if trimmed.starts_with(';') {
                self.pos += trimmed.find('\n').unwrap_or(trimmed.len());
            } else {
                return;
            }
        }
    }

    fn peek(&mut self) -> Option<char> {
        self.skip_space();
        self.text[self.pos..].chars().next()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    /// A name: letters, digits, `_`, and for captures and predicates also
    /// `.`, `-`, `?` and `!`.
    fn word(&mut self, extra: &str) -> &str {
        self.skip_space();
        let start = self.pos;
        let len = self.text[start..]
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || extra.contains(c)))
            .unwrap_or(self.text.len() - start);
        self.pos += len;
        &self.text[start..start + len]
    }

    fn string(&mut self) -> Result<String, String> {
        if !self.eat('"') {
            return self.error("expected a string");
        }
        let mut out = String::new();
        let mut chars = self.text[self.pos..].char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.pos += i + 1;
                    return Ok(out);
                }
                '\\' => match chars.next() {
                    Some((_, 'n')) => out.push('\n'),
                    Some((_, other)) => out.push(other),
                    None => break,
                },
                c => out.push(c),
            }
        }
        self.error("unterminated string")
    }

    fn capture(&mut self) -> u16 {
        let name = self.word(".-").to_owned();
        let index = self
            .capture_names
            .iter()
            .position(|n| *n == name)
            .unwrap_or_else(|| {
                self.capture_names.push(name);
                self.capture_names.len() - 1
            });
        u16::try_from(index).unwrap_or(u16::MAX)
    }

    fn captures(&mut self, pat: &mut Pat) {
        while self.eat('@') {
            let capture = self.capture();
            pat.captures.push(capture);
        }
    }

    fn top(&mut self) -> Result<(Pat, Vec<Predicate>), String> {
        let mut predicates = Vec::new();
        let pat = self.pattern(&mut predicates)?;
        Ok((pat, predicates))
    }

    fn kind(&self, name: &str, named: bool) -> Result<u16, String> {
        match self.language.id_for_node_kind(name, named) {
            0 => self.error(&format!("no node kind `{name}`")),
            id => Ok(id),
        }
    }

    fn pattern(&mut self, predicates: &mut Vec<Predicate>) -> Result<Pat, String> {
        let mut pat = match self.peek() {
            Some('"') => {
                let literal = self.string()?;
                Pat::new(Test::Kind(self.kind(&literal, false)?))
            }
            Some('[') => {
                self.pos += 1;
                let mut pat = Pat::new(Test::Any);
                while !self.eat(']') {
                    if self.peek().is_none() {
                        return self.error("unclosed `[`");
                    }
                    pat.alternatives.push(self.pattern(predicates)?);
                }
                pat
            }
            Some('_') => {
                self.pos += 1;
                Pat::new(Test::Any)
            }
            Some('(') => {
                self.pos += 1;
                self.node(predicates)?
            }
            _ => return self.error("expected a pattern"),
        };
        self.captures(&mut pat);
        Ok(pat)
    }

    /// The inside of `( ... )`, after the parenthesis.
    fn node(&mut self, predicates: &mut Vec<Predicate>) -> Result<Pat, String> {
        let name = self.word("").to_owned();
        let mut pat = match name.as_str() {
            "_" => Pat::new(Test::Named),
            "" => return self.error("expected a node kind"),
            kind => Pat::new(Test::Kind(self.kind(kind, true)?)),
        };
        let mut immediate = false;
        loop {
            match self.peek() {
                Some(')') => {
                    self.pos += 1;
                    pat.anchored_last = immediate;
                    return Ok(pat);
                }
                Some('.') => {
                    self.pos += 1;
                    immediate = true;
                }
                Some('!') => {
                    self.pos += 1;
                    let field = self.word("").to_owned();
                    pat.negated.push(self.field(&field)?);
                }
                Some('(') if self.text[self.pos + 1..].trim_start().starts_with('#') => {
                    self.pos += 1;
                    predicates.push(self.predicate()?);
                }
                Some('(' | '[' | '"' | '_') => {
                    let child = self.pattern(predicates)?;
                    pat.children.push(Step {
                        pat: child,
                        immediate,
                    });
                    immediate = false;
                }
                Some(c) if c.is_alphabetic() => {
                    let field = self.word("").to_owned();
                    if !self.eat(':') {
                        return self.error("expected `:` after a field name");
                    }
                    let id = self.field(&field)?;
                    let sub = self.pattern(predicates)?;
                    pat.fields.push((id, sub));
                }
                _ => return self.error("unexpected text in a node pattern"),
            }
        }
    }

    fn field(&self, name: &str) -> Result<NonZeroU16, String> {
        match self.language.field_id_for_name(name) {
            Some(id) => Ok(id),
            None => self.error(&format!("no field `{name}`")),
        }
    }

    /// `(#eq? @capture "text")` or `(#any-of? @capture "a" "b")`, after
    /// the parenthesis.
    fn predicate(&mut self) -> Result<Predicate, String> {
        if !self.eat('#') {
            return self.error("expected a predicate");
        }
        let name = self.word("?-!").to_owned();
        if !self.eat('@') {
            return self.error("a predicate's first argument must be a capture");
        }
        let capture = self.capture();
        let mut texts = Vec::new();
        while !self.eat(')') {
            texts.push(self.string()?);
        }
        match name.as_str() {
            "eq?" if texts.len() == 1 => Ok(Predicate::AnyOf { capture, texts }),
            "any-of?" if !texts.is_empty() => Ok(Predicate::AnyOf { capture, texts }),
            "not-any-of?" if !texts.is_empty() => Ok(Predicate::NoneOf { capture, texts }),
            _ => self.error(&format!("unsupported predicate `#{name}`")),
        }
    }
}

/// Reads query text.
struct Reader<'a> {
    text: &'a str,
    pos: usize,
    language: &'a Language,
    capture_names: Vec<String>,
}

/// Whether an `ERROR` node makes what is below it untrusted. One that is
/// only a preprocessor conditional left open (`#ifndef GUARD` whose
/// `#endif` the parser could not pair, often a whole header) holds
/// declarations parsed in full, each with its own errors marked below it.
fn untrusted(node: Node<'_>) -> bool {
    node.is_error()
        && !node
            .child(0)
            .is_some_and(|first| matches!(first.kind(), "#if" | "#ifdef" | "#ifndef"))
}
