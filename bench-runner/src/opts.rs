//! Command-line options as bench-runner takes them (std only): `--key value`, `--flag`, words.

/// `--key value` pairs, `--flag`s and positional words.
pub struct Opts {
    kv: Vec<(String, String)>,
    flags: Vec<String>,
    pub words: Vec<String>,
}

impl Opts {
    /// Reads `args`: `--NAME` of `flags` stands alone (`-h` is `--help`), every other `--NAME` takes the
    /// next argument as its value; anything else is a word.
    pub fn parse(args: &[String], flags: &[&str]) -> Result<Opts, String> {
        let mut o = Opts { kv: Vec::new(), flags: Vec::new(), words: Vec::new() };
        let mut it = args.iter();
        while let Some(a) = it.next() {
            match a.strip_prefix("--") {
                Some(k) if flags.contains(&k) => o.flags.push(k.to_string()),
                Some(k) => o.kv.push((k.to_string(), it.next().ok_or(format!("--{k} needs a value"))?.clone())),
                None if a == "-h" => o.flags.push("help".into()),
                None => o.words.push(a.clone()),
            }
        }
        Ok(o)
    }
    pub fn get(&self, k: &str) -> Option<&str> {
        self.kv.iter().rev().find(|(key, _)| key == k).map(|(_, v)| v.as_str())
    }
    pub fn all(&self, k: &str) -> Vec<&str> {
        self.kv.iter().filter(|(key, _)| key == k).map(|(_, v)| v.as_str()).collect()
    }
    pub fn flag(&self, k: &str) -> bool {
        self.flags.iter().any(|f| f == k)
    }
    pub fn num(&self, k: &str, default: u64) -> Result<u64, String> {
        self.get(k).map_or(Ok(default), |v| v.parse().map_err(|_| format!("--{k}: `{v}` is not a whole number")))
    }
}
