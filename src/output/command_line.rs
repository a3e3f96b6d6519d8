//! A configured shell command (`envguard.command`) as it may be shown: each word masked by
//! where it stands. The values of credential options (`-u USER:PW`, `-uUSER:PW`, `--user`,
//! `--oauth2-bearer`, `-H`/`--header`, `--data*`/`-d`, `--password*`, `--token*`, `-p`,
//! and any long option naming a credential), the word after `Bearer`/`Basic`/`token`, the
//! values of environment assignments and of `key=value` words naming a credential, URLs
//! (through [`crate::url::redact_urls_in`]) and a nested script (`sh -c '…'`, shown by the
//! same rules). The program and every other word are kept, so the command is recognised.

/// Long options whose value is (or may carry) a credential: the option itself or, for the
/// families, every option starting with it (`--password-file`, `--data-raw`, `--token-id`).
const SECRET_LONG: &[&str] = &[
    "--user",
    "--proxy-user",
    "--oauth2-bearer",
    "--header",
    "--proxy-header",
    "--data",
    "--json",
    "--form",
    "--cookie",
    "--password",
    "--passwd",
    "--pass",
    "--token",
    "--auth",
    "--api-key",
    "--apikey",
    "--secret",
    "--key",
    "--cert",
    "--bearer",
    "--credential",
    "--login",
];

/// Words inside an option's or a key's name that say its value is a credential.
const SECRET_WORDS: &[&str] = &[
    "pass", "pwd", "token", "secret", "key", "auth", "cred", "bearer", "cookie", "sig", "session",
    "header", "data", "user", "login",
];

/// Short options whose value is (or may carry) a credential: curl's `-u`, `-U`, `-H`, `-d`,
/// `-F`, `-b`, `-E`, and `-p`/`-P`, a password to many tools (a port to ssh: masked all the
/// same, a shown `***` costs less than a shown password).
const SECRET_SHORT: &[char] = &['u', 'U', 'H', 'd', 'F', 'b', 'E', 'p', 'P'];

/// Words after which the next word is a credential (`Authorization: Bearer TOKEN`).
const SCHEMES: &[&str] = &["bearer", "basic", "token", "digest"];

/// Shell redirection operators written as words of their own.
const REDIRECTIONS: &[&str] = &["<<<", "<<", "<", "<&", "<>"];

/// Shell words that end one command and start another.
const OPERATORS: &[&str] = &["&&", "||", ";", "|", "&"];

const MASK: &str = "***";

/// `command` with every word that may hold a secret masked, and otherwise as written: its
/// operators, quoting and spacing kept, so it reads as the command that runs. The command is
/// cut at the shell's operators outside quotes ([`segments`]) and each piece masked in place;
/// a piece where a secret's text is not found as written (an escape inside it, or a copy of
/// it elsewhere) is shown word by word, each masked. A command the shell's quoting rules
/// cannot split shows its first word only.
pub fn shown(command: &str) -> String {
    if shlex::split(command).is_none() {
        let program = command.split_whitespace().next().unwrap_or_default();
        return format!("{} {MASK}", shown_word(program));
    }
    let mut out = String::with_capacity(command.len());
    let mut next = Next::Start;
    for (text, operator) in segments(command) {
        out.push_str(&shown_segment(text, next));
        out.push_str(operator);
        next = after_operator(operator);
    }
    out
}

/// One piece of a command between operators, shown from position `start`.
fn shown_segment(text: &str, start: Next) -> String {
    let Some(words) = shlex::split(text).filter(|w| !w.is_empty()) else {
        return text.to_string();
    };
    let lead = &text[..text.len() - text.trim_start().len()];
    let trail = &text[text.trim_end().len()..];
    let by_words = format!("{lead}{}{trail}", shown_words(&words, start));
    // Each secret replaced where it stands: the values come in the words' order, so each is
    // looked for after the one before.
    let Some(values) = masked_values(&words, start) else {
        return by_words;
    };
    let mut masked = String::with_capacity(text.len());
    let mut rest = text;
    for value in &values {
        let Some(at) = rest.find(value.as_str()) else {
            return by_words;
        };
        masked.push_str(&rest[..at]);
        masked.push_str(MASK);
        rest = &rest[at + value.len()..];
    }
    masked.push_str(rest);
    let masked = crate::url::redact_urls_in(&masked);
    // As written only where its words are exactly the words shown one by one.
    match (shlex::split(&masked), shlex::split(&by_words)) {
        (Some(a), Some(b)) if a == b => masked,
        _ => by_words,
    }
}

/// `command` cut at the shell's control and redirection operators outside quotes (`;`, `|`,
/// `&`, `<`, `>`, `(`, `)`, backquotes, line breaks): each piece of text with the operator
/// after it as written (`""` after the last).
fn segments(command: &str) -> Vec<(&str, &str)> {
    const OPERATOR: &[u8] = b";|&<>()`\n";
    let bytes = command.as_bytes();
    let mut pieces = Vec::new();
    let (mut start, mut i) = (0, 0);
    let (mut single, mut double) = (false, false);
    while i < bytes.len() {
        let c = bytes[i];
        if single {
            single = c != b'\'';
        } else if c == b'\\' {
            i += 2;
            continue;
        } else if double {
            double = c != b'"';
        } else if c == b'\'' {
            single = true;
        } else if c == b'"' {
            double = true;
        } else if OPERATOR.contains(&c) {
            let from = i;
            while i < bytes.len() && OPERATOR.contains(&bytes[i]) {
                i += 1;
            }
            pieces.push((&command[start..from], &command[from..i]));
            start = i;
            continue;
        }
        i += 1;
    }
    pieces.push((&command[start.min(command.len())..], ""));
    pieces
}

/// What the word after `operator` is: a here-string's (`<<<`) is fed to the command, often a
/// credential (`--with-token <<< TOKEN`); a redirection's a file; anything else starts a
/// command.
fn after_operator(operator: &str) -> Next {
    if operator.ends_with("<<<") {
        Next::Secret
    } else if operator.ends_with(['<', '>']) || operator.ends_with(">&") {
        Next::Word
    } else {
        Next::Start
    }
}

/// The values at the secret positions of `command` (what [`shown`] masks), and of each the
/// part after its first `:` or `=` (a password alone, a body's value), for the scrub to mask
/// wherever they show up. A command the shell's quoting cannot split: every word after the
/// program.
pub fn secret_values(command: &str) -> Vec<String> {
    if shlex::split(command).is_none() {
        return command
            .split_whitespace()
            .skip(1)
            .map(str::to_string)
            .collect();
    }
    let mut values = Vec::new();
    let mut next = Next::Start;
    for (text, operator) in segments(command) {
        if let Some(words) = shlex::split(text) {
            values.extend(words_secret_values(&words, next));
        }
        next = after_operator(operator);
    }
    values.retain(|v| !v.is_empty());
    values
}

/// [`secret_values`] of one piece's words, from position `start`.
fn words_secret_values(words: &[String], start: Next) -> Vec<String> {
    let mut values = Vec::new();
    let mut next = start;
    for word in words {
        let (text, then) = classify(word, next);
        next = then;
        if let Some(nested) = shlex::split(word).filter(|w| w.len() > 1)
            && word.contains(char::is_whitespace)
        {
            values.extend(secret_values_of(&nested));
            continue;
        }
        if let Some(value) = masked_part(word, &text) {
            let tail = value
                .split_once([':', '='])
                .map(|(_, tail)| tail.trim_matches(['"', '\'', ' ']).to_string());
            values.push(value);
            values.extend(tail);
        }
    }
    values
}

/// [`secret_values`] of a nested script's words.
fn secret_values_of(words: &[String]) -> Vec<String> {
    let script = words
        .iter()
        .map(|w| shlex::try_quote(w).map_or_else(|_| w.clone(), |q| q.into_owned()))
        .collect::<Vec<_>>()
        .join(" ");
    secret_values(&script)
}

/// The text each word of `words` has masked where [`shown_words`] shows it, in the words'
/// order (a nested script's words included); `None` where that cannot be told.
fn masked_values(words: &[String], start: Next) -> Option<Vec<String>> {
    let mut values = Vec::new();
    let mut next = start;
    for word in words {
        let (text, then) = classify(word, next);
        next = then;
        let url_only =
            shlex::split(&text).is_some_and(|shown| shown == [crate::url::redact_urls_in(word)]);
        if !text.contains(MASK) || url_only {
            // Nothing masked, or only a URL's secrets, which are masked where they stand.
            continue;
        }
        if let Some(value) = masked_part(word, &text) {
            values.push(value);
        } else if let Some(nested) = shlex::split(word).filter(|w| w.len() > 1) {
            values.extend(masked_values(&nested, Next::Start)?);
        } else {
            return None;
        }
    }
    values.retain(|v| !v.is_empty());
    Some(values)
}

/// The part of `original` that `shown` (the same word masked) replaced with `***`.
fn masked_part(original: &str, shown: &str) -> Option<String> {
    let shown = shlex::split(shown)
        .filter(|w| w.len() == 1)
        .and_then(|mut w| w.pop())
        .unwrap_or_else(|| shown.to_string());
    let star = shown.find(MASK)?;
    let (prefix, suffix) = (&shown[..star], &shown[star + MASK.len()..]);
    (original.len() >= prefix.len() + suffix.len()
        && original.starts_with(prefix)
        && original.ends_with(suffix))
    .then(|| original[prefix.len()..original.len() - suffix.len()].to_string())
}

/// What the next word is, given the words before it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Next {
    /// A command's start: environment assignments, then the program.
    Start,
    /// An option's value or a scheme's credential: masked.
    Secret,
    /// A header's value: its name kept, its value masked.
    Header,
    /// Anything else.
    Word,
}

fn shown_words(words: &[String], start: Next) -> String {
    let mut shown = Vec::with_capacity(words.len());
    let mut next = start;
    for word in words {
        let (text, then) = classify(word, next);
        shown.push(text);
        next = then;
    }
    shown.join(" ")
}

/// A word shown as its position requires, and what the following word is.
fn classify(word: &str, position: Next) -> (String, Next) {
    if OPERATORS.contains(&word) {
        return (word.to_string(), Next::Start);
    }
    // A redirection between an option and its value (`--with-token <<< TOKEN`): the value
    // is the word after it.
    if REDIRECTIONS.contains(&word) && matches!(position, Next::Secret | Next::Header) {
        return (word.to_string(), position);
    }
    match position {
        Next::Secret => return (MASK.to_string(), Next::Word),
        Next::Header => return (quoted(&header(word)), Next::Word),
        Next::Start => {
            if let Some((name, _)) = word.split_once('=')
                && is_identifier(name)
            {
                return (format!("{name}={MASK}"), Next::Start);
            }
            return (shown_word(word), Next::Word);
        }
        Next::Word => {}
    }
    if let Some(long) = word.strip_prefix("--") {
        let (name, value) = long
            .split_once('=')
            .map_or((long, None), |(n, v)| (n, Some(v)));
        let option = format!("--{name}");
        if is_secret_long(&option) {
            let is_header = option.ends_with("header");
            return match value {
                Some(value) if is_header => {
                    (quoted(&format!("{option}={}", header(value))), Next::Word)
                }
                Some(_) => (format!("{option}={MASK}"), Next::Word),
                None if is_header => (option, Next::Header),
                None => (option, Next::Secret),
            };
        }
        return (shown_word(word), Next::Word);
    }
    if let Some(flags) = word.strip_prefix('-')
        && !flags.is_empty()
        && flags
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
    {
        // `-u`, `-sSu` (the value is the next word), `-uUSER:PW` (the value is attached).
        if let Some(at) = flags.find(SECRET_SHORT) {
            let letter = flags[at..].chars().next().unwrap_or('u');
            let attached = &flags[at + 1..];
            let head = &word[..at + 2];
            return match (attached.is_empty(), letter) {
                (true, 'H') => (head.to_string(), Next::Header),
                (true, _) => (head.to_string(), Next::Secret),
                (false, 'H') => (quoted(&format!("{head}{}", header(attached))), Next::Word),
                (false, _) => (format!("{head}{MASK}"), Next::Word),
            };
        }
        return (word.to_string(), Next::Word);
    }
    if SCHEMES.contains(&word.to_ascii_lowercase().trim_end_matches(':')) {
        return (word.to_string(), Next::Secret);
    }
    (shown_word(word), Next::Word)
}

/// A word in no credential position: a nested script shown by the same rules, URLs masked,
/// the user information of `user:password@host`, and credential-named `key=value` and
/// `Name: value` words masked.
fn shown_word(word: &str) -> String {
    if let Some(masked) = assignments_masked(word) {
        return masked;
    }
    if word.contains(char::is_whitespace)
        && let Some(words) = shlex::split(word)
        && words.len() > 1
    {
        return quoted(&shown_words(&words, Next::Start));
    }
    if word.contains("://") {
        return quoted(&crate::url::redact_urls_in(word));
    }
    if let Some(at) = word.rfind('@')
        && word[..at].contains(':')
    {
        // `user:password@host`: user information, masked whole as in a URL.
        return format!("{MASK}{}", &word[at..]);
    }
    for separator in ['=', ':'] {
        if let Some((key, value)) = word.split_once(separator)
            && !value.is_empty()
            && names_a_secret(key)
        {
            return quoted(&format!("{key}{separator}{MASK}"));
        }
    }
    shell_word(word)
}

/// `word` with the value of each environment assignment in it masked: an upper-case
/// `NAME=VALUE` (`env`, `export`, `sudo` and the like take them as words of their own), and
/// one glued to a shell operator or group (`cd app;PW=x`, `(PW=x`). `None`: none in it.
fn assignments_masked(word: &str) -> Option<String> {
    let bytes = word.as_bytes();
    let mut out = String::new();
    let mut last = 0;
    let mut i = 0;
    while i < bytes.len() {
        let starts = i == 0 || b";&|({".contains(&bytes[i - 1]);
        let name_len = bytes[i..]
            .iter()
            .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || **b == b'_')
            .count();
        let is_name = name_len > 0 && !bytes[i].is_ascii_digit();
        if starts && is_name && bytes.get(i + name_len) == Some(&b'=') {
            let value_start = i + name_len + 1;
            let value_end = bytes[value_start..]
                .iter()
                .position(|b| b";&|)}".contains(b))
                .map_or(bytes.len(), |p| value_start + p);
            if value_end > value_start {
                out.push_str(&word[last..value_start]);
                out.push_str(MASK);
                last = value_end;
            }
            i = value_end.max(i + 1);
            continue;
        }
        i += 1;
    }
    (last > 0).then(|| shell_word(&format!("{out}{}", &word[last..])))
}

/// A word kept as it is, quoted as a shell would need it: `"$NAME"` keeps its expansion in
/// double quotes, other special characters single-quoted (`'%s\n'`).
fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_@%+=:,./-{}$".contains(c);
    if word.is_empty() {
        "''".to_string()
    } else if word.chars().all(plain) {
        word.to_string()
    } else if word.contains('$') && !word.contains(['"', '\\', '`']) {
        format!("\"{word}\"")
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// `Name: value` with the value masked unless the header never carries a credential.
fn header(text: &str) -> String {
    match text.split_once(':') {
        Some((name, value)) => super::secret::ShownHeader {
            name: name.trim(),
            value: value.trim(),
        }
        .to_string(),
        None => MASK.to_string(),
    }
}

fn is_secret_long(option: &str) -> bool {
    SECRET_LONG.iter().any(|family| option.starts_with(family))
        || names_a_secret(option.trim_start_matches('-'))
}

fn names_a_secret(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    SECRET_WORDS.iter().any(|w| lower.contains(w))
}

/// A shell variable's name (`TOKEN`, `_x1`).
fn is_identifier(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A word with white space in it, single-quoted so the shown command reads as one.
fn quoted(word: &str) -> String {
    if word.contains(char::is_whitespace) {
        format!("'{}'", word.replace('\'', "'\\''"))
    } else {
        word.to_string()
    }
}

/// The names of the variables a command refers to (`$NAME`, `${NAME}`): their values are
/// masked wherever the command's output shows them.
pub fn referenced_variables(command: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = command;
    while let Some(at) = rest.find('$') {
        rest = &rest[at + 1..];
        let braced = rest.strip_prefix('{');
        let body = braced.unwrap_or(rest);
        let len = body
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(body.len());
        let name = &body[..len];
        if is_identifier(name) && !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_hides(command: &str, secrets: &[&str], kept: &str) {
        let text = shown(command);
        for secret in secrets {
            assert!(!text.contains(secret), "{command} -> {text} shows {secret}");
        }
        assert!(text.contains(kept), "{command} -> {text} lost {kept}");
    }

    #[test]
    fn credential_options_are_masked_by_position() {
        assert_hides(
            "curl -uci:pw1secret https://h/x",
            &["pw1secret"],
            "curl -u***",
        );
        assert_hides(
            "curl -u ci:pw2secret https://h/x",
            &["pw2secret"],
            "curl -u *** https://h/x",
        );
        assert_hides("curl -sSu ci:pw3secret h", &["pw3secret"], "-sSu ***");
        assert_hides("curl --user=ci:pw4 h", &["pw4"], "--user=***");
        assert_hides(
            "curl --oauth2-bearer tok5secret h",
            &["tok5secret"],
            "--oauth2-bearer ***",
        );
        assert_hides(
            "curl -H 'Authorization: Bearer tok6secret' h",
            &["tok6secret"],
            "-H 'Authorization: ***'",
        );
        assert_hides(
            "curl --header 'X-Api-Token: tok7secret' -H 'Content-Type: application/json' h",
            &["tok7secret"],
            "-H 'Content-Type: application/json'",
        );
        assert_hides(
            r#"curl --data '{"token":"tok8secret"}' -d a=b --data-raw x9secret h"#,
            &["tok8secret", "x9secret", "a=b"],
            "--data '***' -d *** --data-raw ***",
        );
        assert_hides(
            "tool --password-file=p10 --token-id t11 x",
            &["p10", "t11"],
            "tool",
        );
        assert_hides(
            "mysql -pPw12secret -p pw13secret db",
            &["Pw12secret", "pw13secret"],
            "db",
        );
        assert_hides(
            "TOKEN=tok14secret API_KEY=k15 deploy --app x api_key=k16 Authorization:Bearer",
            &["tok14secret", "k15", "k16"],
            "TOKEN=*** API_KEY=*** deploy --app x",
        );
        assert_hides(
            "curl -H Authorization: Bearer tok17secret h",
            &["tok17secret"],
            "Bearer ***",
        );
        assert_hides(
            "sh -c 'curl -u a:pw18secret https://u:pw19@h/p?sig=s20secret && echo ok'",
            &["pw18secret", "pw19", "s20secret"],
            "echo ok",
        );
        assert_hides(
            "rsync x deploy:pw21secret@host:/srv",
            &["pw21secret"],
            "@host:/srv",
        );
        assert_hides(
            "curl -H 'Authorization: Bearer unclosed",
            &["unclosed"],
            "curl ***",
        );
        assert_eq!(
            shown("heroku builds:cache:purge -a my-app --confirm my-app"),
            "heroku builds:cache:purge -a my-app --confirm my-app"
        );
        assert_eq!(shown("echo ${TOKEN} && true"), "echo ${TOKEN} && true");
        // As written: quoting, operators and spacing kept.
        assert_eq!(
            shown("printf '%s\\n' \"$X\" \"it's\" \"a $B\""),
            "printf '%s\\n' \"$X\" \"it's\" \"a $B\""
        );
        assert_eq!(
            shown("echo purge denied; exit 3 >> log"),
            "echo purge denied; exit 3 >> log"
        );
    }

    /// Found by a hostile reading: a redirection between an option and its value, an
    /// assignment not at a command's start, a secret also written earlier in the command,
    /// quoting that must stay.
    #[test]
    fn secrets_in_odd_places_are_masked_and_the_rest_stays_as_written() {
        assert_hides(
            "gh auth login --with-token <<< ghp_HEREDOCSEC",
            &["ghp_HEREDOCSEC"],
            "--with-token <<< ***",
        );
        for command in [
            "env DEPLOY_PW=hunter2xyz ./purge",
            "export DEPLOY_PW=hunter2xyz && ./purge",
            "sudo DEPLOY_PW=hunter2xyz ./purge",
            "(DEPLOY_PW=hunter2xyz ./purge)",
            "cd app;DEPLOY_PW=hunter2xyz ./purge",
        ] {
            assert_hides(command, &["hunter2xyz"], "./purge");
            assert!(
                secret_values(command).iter().any(|v| v == "hunter2xyz"),
                "{command}: the scrub knows the value"
            );
        }
        assert_hides(
            "echo SECRETX; curl -u 'SECRE'TX https://h",
            &["SECRE'TX", "-u SECRETX"],
            "https://h",
        );
        assert_hides(
            "curl 'https://bob:Pw1@h/x?sig=S2&a=1' && echo done",
            &["Pw1", "S2"],
            "'https://***@h/x?sig=***&a=***' && echo done",
        );
        // The same secret again where no position says so: the display's scrub masks it.
        let shown = crate::output::secret::ShownCommand::new(
            "echo 'Authorization: Bearer V9secret' && printf 'x-api-key=%s' V9secret",
        )
        .to_string();
        assert!(!shown.contains("V9secret"), "{shown}");
        assert!(shown.contains("&& printf"), "{shown}");
    }

    /// The shell's operators stay where they are, glued to a masked word or not, and what
    /// follows a here-string or sits in backquotes is masked as a command's start would be.
    #[test]
    fn operators_stay_as_written_around_masked_words() {
        for (command, expected) in [
            ("x --password LONGSEC; y", "x --password ***; y"),
            ("x --password LONGSEC;y", "x --password ***;y"),
            ("x -p P|y", "x -p ***|y"),
            ("x --user=u:p>out", "x --user=***>out"),
            ("x -u u:p&&y", "x -u ***&&y"),
            (
                "PGPASSWORD=PG psql; echo done",
                "PGPASSWORD=*** psql; echo done",
            ),
            ("echo hi <<< HERESEC", "echo hi <<< ***"),
            (
                "gh auth login --with-token <<<TOKSEC",
                "gh auth login --with-token <<<***",
            ),
            ("echo `E=SEC5 cmd` x", "echo `E=*** cmd` x"),
            ("a $(D=SEC4 b) c", "a $(D=*** b) c"),
        ] {
            assert_eq!(shown(command), expected, "{command}");
        }
        let values = secret_values("x --password LONGSEC; y");
        assert!(values.iter().any(|v| v == "LONGSEC"), "{values:?}");
        assert!(!values.iter().any(|v| v.contains(';')), "{values:?}");
    }

    #[test]
    fn the_values_at_secret_positions_are_known_for_the_scrub() {
        let values = secret_values(
            "curl -uuser:pw1secret -H'Authorization: Bearer tok2secret' --data '{\"t\":\"x\"}' \
             --oauth2-bearer tok3secret && sh -c 'curl -u me:pw4secret h' ; TOKEN=tok5secret run",
        );
        for secret in [
            "pw1secret",
            "tok2secret",
            "tok3secret",
            "pw4secret",
            "tok5secret",
        ] {
            assert!(
                values.iter().any(|v| v.contains(secret)),
                "{secret} in {values:?}"
            );
        }
        assert!(values.iter().any(|v| v == "pw1secret"), "{values:?}");
    }

    #[test]
    fn variables_a_command_refers_to() {
        assert_eq!(
            referenced_variables("curl -u \"$USER_NAME:${PW}\" $1 $$ ${X_1}"),
            ["USER_NAME", "PW", "X_1"]
        );
    }
}
