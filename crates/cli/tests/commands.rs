//! The `upward` binary as an operator uses it: exit codes and messages on bad input.

use std::process::{Command, Output};

fn upward(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_upward"))
        .args(args)
        .output()
        .expect("the upward binary runs")
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn solve_prints_the_optimum_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let edges = write(
        &dir,
        "e.csv",
        "mentor,mentee,score\nann,bob,0.5\nann,cy,1.5\ndee,bob,2\n",
    );
    let output = upward(&["solve", "--edges", &edges]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["matched"], 2);
    assert_eq!(json["total_score"], 3.5);
    assert_eq!(json["certified"], true);
    assert_eq!(
        json["pairs"][0],
        serde_json::json!({"mentor": "dee", "mentee": "bob", "score": 2.0})
    );
    let bare = upward(&[
        "solve",
        "--edges",
        &edges,
        "--no-pairs",
        "--objective",
        "max-total",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&bare.stdout).unwrap();
    assert!(json.get("pairs").is_none() && json["solve_seconds"].is_number());
    assert_eq!(json["runs"], 1);
    let repeated = upward(&["solve", "--edges", &edges, "--repeat", "3"]);
    let json: serde_json::Value = serde_json::from_slice(&repeated.stdout).unwrap();
    assert_eq!(
        (json["runs"].clone(), json["total_score"].clone()),
        (3.into(), 3.5.into())
    );
    assert_eq!(json["pairs"].as_array().map(Vec::len), Some(2));
    let none = upward(&["solve", "--edges", &edges, "--repeat", "0"]);
    assert_eq!(none.status.code(), Some(2), "a repeat of 0 is refused");
}

#[test]
fn solve_exits_2_naming_the_bad_line() {
    let dir = tempfile::tempdir().unwrap();
    for (text, message) in [
        (
            "mentor,mentee,score\na,b,1\nc,d\n",
            "line 3: expected 3 fields",
        ),
        (
            "mentor,mentee,score\na,b,high\n",
            "line 2: the score 'high' is not a number",
        ),
        (
            "mentor,mentee,score\na,b,1\na,b,2\n",
            "line 3: the pair a,b is already on line 2",
        ),
    ] {
        let edges = write(&dir, "bad.csv", text);
        let output = upward(&["solve", "--edges", &edges]);
        assert_eq!(output.status.code(), Some(2), "{text:?}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains(message),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let edges = write(&dir, "ok.csv", "mentor,mentee,score\na,b,1\n");
    let negative = upward(&["solve", "--edges", &edges, "--mentor-capacity", "-1"]);
    assert_eq!(negative.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&negative.stderr).contains("--mentor-capacity"));
}

#[test]
fn a_bad_people_file_exits_1_and_imports_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("u.db").display());
    // Windows line endings and a blank line, as spreadsheets write them: the bad row is line 4.
    let bad = write(
        &dir,
        "bad.csv",
        "email,name,job_level,time_zone\r\nann@x.org,Ann,3,UTC\r\n\r\nbob@x.org,Bob,high,UTC\r\n",
    );
    let output = upward(&["people", "import", &bad, "--database-url", &database]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("Nothing was imported") && stderr.contains("line 4, column job_level"),
        "{stderr}"
    );
    let export = upward(&["people", "export", "--database-url", &database]);
    assert_eq!(
        String::from_utf8_lossy(&export.stdout).lines().count(),
        1,
        "only the header: nothing was imported"
    );

    let good = write(
        &dir,
        "good.csv",
        "email,name,job_level,time_zone\nann@x.org,Ann,3,UTC\n",
    );
    let output = upward(&["people", "import", &good, "--database-url", &database]);
    assert!(output.status.success());
    let export = upward(&["people", "export", "--database-url", &database]);
    assert!(String::from_utf8_lossy(&export.stdout).contains("ann@x.org,Ann,3,,,,UTC,,"));
}

#[test]
fn match_runs_a_programme_in_its_matching_phase_and_publishes_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("upward.db").display());
    let run = |args: &[&str]| {
        let mut all = vec!["--database-url", url.as_str()];
        all.extend_from_slice(args);
        upward(&all)
    };
    assert!(run(&["demo"]).status.success());
    let missing = run(&["match", "99"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("was not found"));
    let refused = run(&["match", "1"]);
    assert_eq!(refused.status.code(), Some(1));
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(message.contains("move it to matching first"), "{message}");

    assert!(
        run(&["programmes", "phase", "1", "matching"])
            .status
            .success()
    );
    let matched = run(&["match", "1", "--publish"]);
    let stdout = String::from_utf8_lossy(&matched.stdout);
    assert!(
        matched.status.success(),
        "{}",
        String::from_utf8_lossy(&matched.stderr)
    );
    assert!(stdout.starts_with("Run 1: "), "{stdout}");
    assert!(stdout.contains(" → "), "{stdout}");
    assert!(stdout.contains("Published: "), "{stdout}");
    // Everyone left is either matched already or listed with a reason.
    let rematch = run(&["match", "1", "--rematch"]);
    let stdout = String::from_utf8_lossy(&rematch.stdout);
    assert!(stdout.starts_with("Run 2: 0 pairs"), "{stdout}");
    let bad_phase = run(&["programmes", "phase", "1", "draft"]);
    assert_eq!(bad_phase.status.code(), Some(1));
}

#[test]
fn scim_token_create_prints_only_the_token_and_list_and_revoke_manage_it() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("u.db").display());
    let output = upward(&[
        "scim-token",
        "create",
        "--label",
        "Entra ID",
        "--database-url",
        &database,
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let token = stdout.trim_end_matches('\n');
    assert_eq!(stdout.lines().count(), 1, "one line: {stdout}");
    assert!(
        token.len() >= 40 && !token.contains(char::is_whitespace),
        "{token}"
    );

    let list = upward(&["scim-token", "list", "--database-url", &database]);
    let listed = String::from_utf8_lossy(&list.stdout);
    assert!(
        listed.contains("Entra ID") && listed.contains("never used"),
        "{listed}"
    );
    assert!(
        !listed.contains(token),
        "the token itself is never shown again"
    );

    let revoke = upward(&["scim-token", "revoke", "1", "--database-url", &database]);
    assert!(revoke.status.success());
    let list = upward(&["scim-token", "list", "--database-url", &database]);
    assert!(String::from_utf8_lossy(&list.stdout).contains("revoked"));
    let missing = upward(&["scim-token", "revoke", "9", "--database-url", &database]);
    assert!(!missing.status.success());
}

#[test]
fn backup_writes_a_copy_that_holds_the_same_directory_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("u.db").display());
    let people = write(
        &dir,
        "people.csv",
        "email,name,job_level,time_zone\nann@x.org,Ann,3,UTC\n",
    );
    assert!(
        upward(&["people", "import", &people, "--database-url", &database])
            .status
            .success()
    );
    let copy = dir.path().join("copy.db");
    let output = upward(&[
        "backup",
        copy.to_str().unwrap(),
        "--database-url",
        &database,
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let copied = format!("sqlite://{}", copy.display());
    let original = upward(&["people", "export", "--database-url", &database]).stdout;
    let restored = upward(&["people", "export", "--database-url", &copied]).stdout;
    assert_eq!(original, restored);
    let again = upward(&[
        "backup",
        copy.to_str().unwrap(),
        "--database-url",
        &database,
    ]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
}

/// Killed mid-import (SIGKILL, no chance to clean up), the directory holds all of the file or
/// none of it: the import is one transaction, and the database recovers on the next open.
#[test]
fn an_import_killed_midway_leaves_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("u.db").display());
    assert!(
        upward(&["migrate", "--database-url", &database])
            .status
            .success()
    );
    let mut csv = String::from("email,name,job_level,time_zone\n");
    for k in 0..60_000 {
        csv.push_str(&format!("p{k}@x.org,Person {k},{},UTC\n", k % 20 + 1));
    }
    let file = write(&dir, "big.csv", &csv);
    for wait_ms in [50, 300, 900] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_upward"))
            .args(["people", "import", &file, "--database-url", &database])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(wait_ms));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let export = upward(&["people", "export", "--database-url", &database]);
        assert!(export.status.success(), "the database opens after the kill");
        let rows = String::from_utf8_lossy(&export.stdout).lines().count() - 1;
        assert!(
            rows == 0 || rows == 60_000,
            "after {wait_ms} ms: {rows} people, half an import"
        );
    }
}
