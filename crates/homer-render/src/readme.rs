//! What a repository's README says of it: its title and the first
//! paragraph that describes the project, as plain text.
//!
//! READMEs are written for a renderer, and what comes first is often not
//! the description: a logo in HTML, badges (a link's target sometimes on
//! the next line), a heading underlined on the line below, a notice about
//! the README itself, `AsciiDoc` attributes and listings. These are passed
//! over; inline markup (links, images, emphasis, HTML tags) is reduced to
//! its text, so that an agent reads the sentence and not the markup.

/// How a README is marked up, from its file name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Markup {
    /// Markdown, and plain text read as Markdown (a plain README is prose
    /// either way).
    Markdown,
    ReStructuredText,
    AsciiDoc,
}

/// The README at the root among `files`, by GitHub's order of preference
/// when there are several, whatever the case of its name (`Readme.md`).
pub(crate) fn find<'a>(files: impl IntoIterator<Item = &'a str>) -> Option<(&'a str, Markup)> {
    const ORDER: [(&str, Markup); 6] = [
        ("readme.md", Markup::Markdown),
        ("readme.markdown", Markup::Markdown),
        ("readme.rst", Markup::ReStructuredText),
        ("readme.adoc", Markup::AsciiDoc),
        ("readme.txt", Markup::Markdown),
        ("readme", Markup::Markdown),
    ];
    files
        .into_iter()
        .filter(|path| !path.contains('/'))
        .filter_map(|path| {
            let lower = path.to_ascii_lowercase();
            let rank = ORDER.iter().position(|(name, _)| *name == lower)?;
            Some((rank, path, ORDER[rank].1))
        })
        // Two names differing only in case: the first in byte order.
        .min_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)))
        .map(|(_, path, markup)| (path, markup))
}

/// The README's title: its first heading, as plain text of at most 60
/// characters.
pub(crate) fn title(text: &str, markup: Markup) -> Option<String> {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let raw = lines.iter().enumerate().find_map(|(i, &t)| {
        let marked = match markup {
            Markup::AsciiDoc => t.strip_prefix("= "),
            _ => t.strip_prefix("# "),
        };
        if let Some(h) = marked {
            return Some(h);
        }
        let under = lines.get(i + 1).copied();
        (!t.is_empty() && under.is_some_and(|u| underline(u, markup) == Some('='))).then_some(t)
    })?;
    let title = plain(raw).replace(['[', ']', '`'], "");
    (title.chars().any(char::is_alphanumeric) && title.chars().count() <= 60).then_some(title)
}

/// The first paragraph of prose that describes the project: headings,
/// badges, HTML, code, lists, tables and quotes left out; a notice about
/// the README itself or a line of a few words passed over; at most 400
/// characters, cut at a sentence when it can be.
pub(crate) fn description(text: &str, markup: Markup) -> Option<String> {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let mut para: Vec<&str> = Vec::new();
    let mut fence: Option<&str> = None;
    let mut link_goes_on = false;
    let mut i = 0;
    while i < lines.len() {
        let t = lines[i];
        i += 1;
        if let Some(open) = fence {
            if t.starts_with(open) {
                fence = None;
            }
            continue;
        }
        // A badge's link target on the line after its image.
        if std::mem::replace(&mut link_goes_on, t.ends_with("](")) {
            continue;
        }
        let ends = if let Some(open) = fence_opening(t, markup) {
            fence = Some(open);
            true
        } else if !t.is_empty() && lines.get(i).is_some_and(|u| underline(u, markup).is_some()) {
            // A heading underlined on the line below.
            i += 1;
            true
        } else {
            t.is_empty() || is_heading(t, markup)
        };
        if ends {
            if let Some(found) = finish(&mut para) {
                return Some(found);
            }
            continue;
        }
        if !is_prose(t, markup) {
            continue;
        }
        para.push(t);
    }
    finish(&mut para)
}

/// The paragraph gathered so far, if it describes the project; emptied
/// either way.
fn finish(para: &mut Vec<&str>) -> Option<String> {
    let mut joined = plain(&para.join(" "));
    para.clear();
    // A notice about the README ("this README reflects master; see v1.0
    // for the release") says nothing of the project.
    if joined.to_lowercase().contains("readme") {
        return None;
    }
    // A name or a tagline of a word or two is a title, not a description.
    if joined
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphabetic))
        .count()
        < 4
    {
        return None;
    }
    // "It is:" introduces the list that was left out: without the list,
    // the sentence says nothing.
    if joined.ends_with(':')
        && let Some(i) = joined.rfind(". ")
    {
        joined.truncate(i + 1);
    }
    if joined.chars().count() <= 400 {
        return Some(joined);
    }
    let cut: String = joined.chars().take(400).collect();
    Some(match cut.rfind(". ") {
        Some(i) if i > 100 => cut[..=i].to_owned(),
        _ => format!("{cut}…"),
    })
}

/// The delimiter that closes the code block `line` opens, if it opens one.
fn fence_opening(line: &str, markup: Markup) -> Option<&'static str> {
    if line.starts_with("```") {
        return Some("```");
    }
    if line.starts_with("~~~") {
        return Some("~~~");
    }
    if markup == Markup::AsciiDoc {
        // Listing, literal, example, sidebar and passthrough blocks.
        for delimiter in ["----", "....", "====", "****", "++++"] {
            if line == delimiter {
                return Some(delimiter);
            }
        }
    }
    None
}

/// The character of a heading's underline (`====`, `----`; in
/// reStructuredText any punctuation), if `line` is one.
fn underline(line: &str, markup: Markup) -> Option<char> {
    let mut chars = line.chars();
    let first = chars.next()?;
    let allowed = match markup {
        Markup::ReStructuredText => first.is_ascii_punctuation(),
        Markup::Markdown => first == '=' || first == '-',
        // AsciiDoc marks headings with a leading `=`, and its `----` and
        // `====` lines delimit blocks.
        Markup::AsciiDoc => false,
    };
    (allowed && line.len() >= 2 && chars.all(|c| c == first)).then_some(first)
}

fn is_heading(line: &str, markup: Markup) -> bool {
    match markup {
        Markup::AsciiDoc => line.starts_with('='),
        _ => line.starts_with('#'),
    }
}

/// Whether a line can be part of a description: not a list item (a table
/// of contents, a list of features), a table, a quote, an image, HTML, a
/// directive or an attribute, nor a bare address.
fn is_prose(line: &str, markup: Markup) -> bool {
    let list = line.starts_with("- ")
        || line.starts_with("* ")
        || line.starts_with("+ ")
        || line
            .split_once(". ")
            .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
    let markup_only = match markup {
        Markup::AsciiDoc => {
            // `:toc:` attributes, `[source,scala]` block attributes,
            // `image:` and other macros, `//` comments.
            (line.starts_with(':') && line[1..].contains(':'))
                || (line.starts_with('[') && line.ends_with(']'))
                || line.starts_with("image:")
                || line.starts_with("//")
                || line.contains("::")
        }
        Markup::ReStructuredText => line.starts_with(".."),
        Markup::Markdown => false,
    };
    let bare_address = !line.contains(' ') && line.contains("://");
    !(list
        || markup_only
        || bare_address
        || line.starts_with('<')
        || line.starts_with("[![")
        || line.starts_with("![")
        || line.starts_with('|')
        || line.starts_with('>'))
}

/// Inline markup reduced to its text: `![alt](url)` and HTML tags go,
/// `[text](url)` and the `url[text]` of `AsciiDoc` keep their text, emphasis
/// markers go (not the underscores inside a `snake_case` name), code spans
/// stay as written, and runs of blanks become one.
fn plain(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    // Skips from `chars[from]` past the first `close`, returning where.
    let past = |from: usize, close: char| {
        chars[from..]
            .iter()
            .position(|&c| c == close)
            .map_or(chars.len(), |p| from + p + 1)
    };
    while i < chars.len() {
        let c = chars[i];
        match c {
            '!' if chars.get(i + 1) == Some(&'[') => {
                i = past(i, ']');
                if chars.get(i) == Some(&'(') {
                    i = past(i, ')');
                }
            }
            // A code span is the project's own text: kept as written,
            // brackets and `<T>` too (`&[u8]`, `Vec<u8>`).
            '`' => {
                let end = past(i + 1, '`');
                out.extend(&chars[i..end]);
                i = end;
            }
            '<' if chars
                .get(i + 1)
                .is_some_and(|c| c.is_ascii_alphabetic() || *c == '/') =>
            {
                i = past(i, '>');
            }
            '[' => {
                // AsciiDoc's `https://host/path[text]`: the text stands
                // for the address.
                let word = out
                    .char_indices()
                    .rev()
                    .find(|(_, c)| c.is_whitespace())
                    .map_or(0, |(p, c)| p + c.len_utf8());
                if out[word..].contains("://") {
                    out.truncate(word);
                }
                i += 1;
            }
            // The end of a link's text: its target goes.
            ']' => {
                i += 1;
                if chars.get(i) == Some(&'(') && chars.get(i + 1).is_some_and(|&c| c != ' ') {
                    i = past(i, ')');
                }
            }
            '*' | '_' => {
                let before = i.checked_sub(1).map(|j| chars[j]);
                let after = chars.get(i + 1).copied();
                let inner = before.is_some_and(char::is_alphanumeric)
                    && after.is_some_and(char::is_alphanumeric);
                if inner {
                    out.push(c);
                }
                i += 1;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    let words: Vec<&str> = out.split_whitespace().collect();
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(text: &str) -> Option<String> {
        description(text, Markup::Markdown)
    }

    #[test]
    fn the_readme_is_found_whatever_the_case_of_its_name() {
        assert_eq!(
            find(["src/README.md", "Readme.md", "LICENSE"]),
            Some(("Readme.md", Markup::Markdown))
        );
        assert_eq!(
            find(["README.rst", "README.md"]),
            Some(("README.md", Markup::Markdown))
        );
        assert_eq!(
            find(["Readme.adoc"]),
            Some(("Readme.adoc", Markup::AsciiDoc))
        );
        assert_eq!(find(["docs/readme.md", "README.html"]), None);
    }

    #[test]
    fn a_heading_underlined_below_is_not_the_description() {
        // busted, JavaPoet, ripgrep: the name underlined, prose after it
        // (ripgrep's with no blank line between).
        let text = "busted\n======\n\n[![ci](x)](y)\n\nbusted is a unit testing framework with a focus on being **easy to\nuse**. Supports Lua.\n";
        assert_eq!(
            md(text).as_deref(),
            Some(
                "busted is a unit testing framework with a focus on being easy to use. Supports Lua."
            )
        );
        let text =
            "ripgrep (rg)\n------------\nripgrep is a line-oriented search tool that\nsearches.\n";
        assert_eq!(
            md(text).as_deref(),
            Some("ripgrep is a line-oriented search tool that searches.")
        );
        assert_eq!(
            title("Tool\n====\n\ntext", Markup::Markdown).as_deref(),
            Some("Tool")
        );
    }

    #[test]
    fn badges_whose_link_goes_on_to_the_next_line_are_left_out() {
        // fmt's README.
        let text = "<img src=\"logo.png\" alt=\"{fmt}\"/>\n\n[![image](https://ci/badge.svg)](\nhttps://ci/actions?query=workflow%3Alinux)\n[![fuzzed](https://fuzz/badge.svg)](\nhttps://fuzz/issues)\n\n**{fmt}** is an open-source formatting library providing a fast and safe\nalternative to C stdio and C++ iostreams.\n";
        assert_eq!(
            md(text).as_deref(),
            Some(
                "{fmt} is an open-source formatting library providing a fast and safe alternative to C stdio and C++ iostreams."
            )
        );
    }

    #[test]
    fn a_notice_about_the_readme_is_passed_over() {
        // hiredis's README.
        let text = "[![Build](b.svg)](u)\n\n**This Readme reflects the latest changed in the master branch. See [v1.0.0](https://x/v1.0.0) for the Readme of the latest release.**\n\n# HIREDIS\n\nHiredis is a minimalistic C client library for the [Redis](https://redis.io/) database.\n";
        assert_eq!(
            md(text).as_deref(),
            Some("Hiredis is a minimalistic C client library for the Redis database.")
        );
    }

    #[test]
    fn a_tagline_in_bold_is_a_description_and_loses_its_markup() {
        // express's README; hono's emphasis inside a sentence.
        let text = "<a href=\"https://expressjs.com/\">\n  <picture>\n  </picture>\n</a>\n\n**Fast, unopinionated, minimalist web framework for [Node.js](https://nodejs.org).**\n\n## Table of contents\n";
        assert_eq!(
            md(text).as_deref(),
            Some("Fast, unopinionated, minimalist web framework for Node.js.")
        );
        let text = "Hono - _**means flame in Japanese**_ - is a small web framework built on snake_case_names.";
        assert_eq!(
            md(text).as_deref(),
            Some(
                "Hono - means flame in Japanese - is a small web framework built on snake_case_names."
            )
        );
    }

    #[test]
    fn asciidoc_attributes_images_and_listings_are_left_out() {
        // os-lib's Readme.adoc.
        let text = "= OS-Lib\n:version: 0.11.7\n:toc:\n\nimage:https://img/badge.svg[Patreon,link=https://p]\n\n[source,scala]\n----\n// Make sure the directory exists\nval wd = os.pwd/\"out\"\n----\n\nOS-Lib is a simple Scala interface to common OS filesystem and subprocess APIs.\nSee https://www.handsonscala.com/[_Hands-on Scala_].\n";
        assert_eq!(
            description(text, Markup::AsciiDoc).as_deref(),
            Some(
                "OS-Lib is a simple Scala interface to common OS filesystem and subprocess APIs. See Hands-on Scala."
            )
        );
        assert_eq!(title(text, Markup::AsciiDoc).as_deref(), Some("OS-Lib"));
    }

    /// A blank of more than one byte (a no-break space) before a link.
    #[test]
    fn text_in_any_script_keeps_its_characters_whole() {
        let text = "Ein Werkzeug für Männer\u{a0}[und Frauen](https://x) über alles hinaus.";
        assert_eq!(
            md(text).as_deref(),
            Some("Ein Werkzeug für Männer und Frauen über alles hinaus.")
        );
    }

    /// Markup cut anywhere, with characters of several bytes at every
    /// place: an answer or none, never a panic.
    #[test]
    fn any_text_is_read_without_a_panic() {
        let base = "# T\n\n**A** [b](c) ![d](e) <f g> x_y_z *h* `i` https://j[k] ](\nl ( [m] n.";
        for wide in ["\u{a0}", "é", "🔥", "\u{3000}"] {
            for (at, _) in base.char_indices() {
                let text = format!("{}{wide}{}", &base[..at], &base[at..]);
                for markup in [Markup::Markdown, Markup::ReStructuredText, Markup::AsciiDoc] {
                    let _ = description(&text, markup);
                    let _ = title(&text, markup);
                    let _ = plain(&text);
                }
            }
        }
        for cut in 0..base.len() {
            let _ = plain(&base[..cut]);
            let _ = description(&base[..cut], Markup::Markdown);
        }
    }

    /// bstr's README, held out of the READMEs the rules were written
    /// from: `&[u8]` and `Vec<u8>` lost their brackets and their `<u8>`.
    #[test]
    fn code_spans_are_kept_as_written() {
        let text = "bstr\n====\n\nThis crate provides extension traits for `&[u8]` and\n`Vec<u8>` that enable their use as [byte strings](https://x).\n";
        assert_eq!(
            md(text).as_deref(),
            Some(
                "This crate provides extension traits for `&[u8]` and `Vec<u8>` that enable their use as byte strings."
            )
        );
    }

    #[test]
    fn a_sentence_that_introduces_a_left_out_list_goes() {
        let text = "# Tokio\n\nA runtime for async code. It is:\n\n* Fast\n* Reliable\n";
        assert_eq!(md(text).as_deref(), Some("A runtime for async code."));
    }

    #[test]
    fn readme_paragraphs_skip_badges_and_headings() {
        let text = "# Tool\n\n[![ci](x)](y)\n\n- [Intro](#intro)\n- [Usage](#usage)\n\nTool does\nthings well for you.\n\nMore.\n";
        assert_eq!(md(text).as_deref(), Some("Tool does things well for you."));
    }

    #[test]
    fn a_title_loses_its_links_images_and_markup() {
        assert_eq!(
            title(
                "[![ci](x)](y)\n# [Slim](https://slimframework.com) <img src=x>\n",
                Markup::Markdown
            )
            .as_deref(),
            Some("Slim")
        );
        // scrutor's: badges after the name.
        assert_eq!(
            title(
                "# Scrutor [![Build status](https://ci/svg)](https://ci/p) [![NuGet](https://n/v.svg)](https://n/p)\n",
                Markup::Markdown
            )
            .as_deref(),
            Some("Scrutor")
        );
        assert_eq!(title("<p>no heading</p>", Markup::Markdown), None);
    }
}
