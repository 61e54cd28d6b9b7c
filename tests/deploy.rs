//! The deployment examples in `deploy/`, tried with the real programs: the systemd unit checked
//! by `systemd-analyze verify`, and nginx and Caddy started from the example files (only the
//! domain, ports and certificate changed) in front of the real `coopol` binary, which must
//! answer through them over https: its pages, an upload as large as the media limits allow, and
//! a server-sent event stream that arrives while the connection stays open.
//!
//! Without systemd-analyze, nginx or Caddy a test prints a notice and passes, unless
//! `COOPOL_REQUIRE_DEPLOY=1` (scripts/test sets it; scripts/test-tools.sh installs nginx and
//! Caddy from Debian).

#[path = "common/oauth.rs"]
mod oauth;

use std::{
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

const BIN: &str = env!("CARGO_BIN_EXE_coopol");

/// The program at `path`, or `None` (with a notice) when it is missing and not required.
fn program(path: &str) -> Option<PathBuf> {
    let p = PathBuf::from(path);
    if p.exists() {
        return Some(p);
    }
    assert!(
        std::env::var("COOPOL_REQUIRE_DEPLOY").as_deref() != Ok("1"),
        "COOPOL_REQUIRE_DEPLOY=1 but {path} is missing: run scripts/test-tools.sh"
    );
    eprintln!("notice: {path} is missing: deployment test skipped");
    None
}

fn deploy_file(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("deploy")
            .join(name),
    )
    .unwrap()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A child process killed when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_for_port(child: &mut Child, port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited early: {status}");
        }
        assert!(Instant::now() < deadline, "{what} did not start listening");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The real binary on SQLite in `dir`, listening on `port`, known as `public_url`.
fn coopol(dir: &Path, port: u16, public_url: &str) -> Running {
    let mut cmd = Command::new(BIN);
    for (key, _) in std::env::vars() {
        if key.starts_with("COOPOL_") {
            cmd.env_remove(key);
        }
    }
    let mut child = cmd
        .arg("serve")
        .current_dir(dir)
        .env("COOPOL_LISTEN", format!("127.0.0.1:{port}"))
        .env("COOPOL_PUBLIC_URL", public_url)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_port(&mut child, port, "coopol");
    Running(child)
}

/// A client that trusts the test's own certificate authority only.
fn client(ca: &Path) -> reqwest::Client {
    let pem = std::fs::read(ca).unwrap();
    reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&pem).unwrap()])
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// What a proxy in front of coopol must let through: pages and documents, an upload as large
/// as a video may be, and a stream as it happens.
async fn check_through(client: &reqwest::Client, port: u16, dir: &Path) {
    let base = format!("https://localhost:{port}");
    let deadline = Instant::now() + Duration::from_secs(60);
    let instance = loop {
        // The port opens before the migrations end: the proxy answers 502 meanwhile.
        match client.get(format!("{base}/api/v2/instance")).send().await {
            Ok(r) if r.status().is_success() => break r,
            _ if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(100)).await,
            Ok(r) => panic!("{base}: {}", r.status()),
            Err(e) => panic!("{base}: {e}"),
        }
    };
    let instance: serde_json::Value = instance.json().await.unwrap();
    // Every URL from public_url, whatever the proxy passes as Host.
    assert_eq!(
        instance["domain"],
        format!("localhost:{port}"),
        "{instance}"
    );

    // 60 MB, under the 99 MB a video may weigh: taken whole by coopol, not refused by the
    // proxy. The upload is a signed-in person's, so coopol reads all of it before it answers
    // (refused without a token, it would answer before the body ends and close the connection,
    // and a proxy still sending the body may then answer 502 instead, depending on timing).
    let token = token_through(client, &base, dir).await;
    let big = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(vec![0u8; 60 * 1024 * 1024])
            .file_name("meeting.mp4")
            .mime_str("video/mp4")
            .unwrap(),
    );
    let answer = client
        .post(format!("{base}/api/v2/media"))
        .bearer_auth(&token)
        .multipart(big)
        .send()
        .await
        .unwrap();
    let status = answer.status().as_u16();
    let body = answer.text().await.unwrap_or_default();
    // Zeros are no video: coopol refuses them once read (422), or takes them to process (2xx);
    // never the proxy's 413 or 502.
    assert!(
        status == 422 || (200..300).contains(&status),
        "the upload reached coopol: {status} {body}"
    );

    // A server-sent event stream: the first bytes arrive while the answer goes on.
    let mut stream = client
        .get(format!("{base}/api/v1/streaming/public"))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    assert!(
        stream
            .headers()
            .get("content-type")
            .is_some_and(|t| t.to_str().unwrap().starts_with("text/event-stream")),
        "{:?}",
        stream.headers()
    );
    let first = tokio::time::timeout(Duration::from_secs(20), stream.chunk())
        .await
        .expect("the stream's first bytes are passed on at once")
        .unwrap();
    assert!(first.is_some_and(|b| !b.is_empty()));
}

/// A token of a person made with `coopol user create` in `dir` (the running server's folder),
/// through the proxy at `base`: an app, then the password grant.
async fn token_through(client: &reqwest::Client, base: &str, dir: &Path) -> String {
    let mut cmd = Command::new(BIN);
    for (key, _) in std::env::vars() {
        if key.starts_with("COOPOL_") {
            cmd.env_remove(key);
        }
    }
    let mut child = cmd
        .args([
            "user",
            "create",
            "--email",
            "ana@example.org",
            "--password-stdin",
            "ana",
        ])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"correct horse battery\n").unwrap();
    }
    assert!(child.wait().unwrap().success(), "coopol user create");
    oauth::password_token(client, base, "ana@example.org", "correct horse battery").await
}

/// A certificate authority and a certificate for `localhost` it signed, made by openssl:
/// (CA certificate, certificate, key).
fn certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=coopol test CA",
    ]);
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    run(&[
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        "site.key",
        "-out",
        "site.csr",
        "-subj",
        "/CN=localhost",
    ]);
    run(&[
        "x509",
        "-req",
        "-in",
        "site.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "site.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    ]);
    (
        dir.join("ca.pem"),
        dir.join("site.pem"),
        dir.join("site.key"),
    )
}

#[test]
fn the_systemd_unit_is_valid() {
    let Some(analyze) = program("/usr/bin/systemd-analyze") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // Verified as written, but starting the binary under test (verify checks it exists).
    let unit = deploy_file("coopol.service").replace("/usr/local/bin/coopol", BIN);
    let path = dir.path().join("coopol.service");
    std::fs::write(&path, unit).unwrap();
    let out = Command::new(analyze)
        .arg("verify")
        .arg(&path)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        !err.contains("coopol.service"),
        "systemd-analyze has remarks about the unit: {err}"
    );
}

#[tokio::test]
async fn nginx_in_front_of_coopol() {
    let Some(nginx) = program("/usr/sbin/nginx") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = certificates(dir.path());
    let (app_port, https_port, http_port) = (free_port(), free_port(), free_port());
    let site = deploy_file("nginx.conf")
        .replace("section.example.org", "localhost")
        .replace("127.0.0.1:8080", &format!("127.0.0.1:{app_port}"))
        .replace("listen [::]:80;", "")
        .replace("listen [::]:443 ssl http2;", "")
        .replace("listen 80;", &format!("listen 127.0.0.1:{http_port};"))
        .replace(
            "listen 443 ssl http2;",
            &format!("listen 127.0.0.1:{https_port} ssl http2;"),
        )
        .replace(
            "/etc/letsencrypt/live/localhost/fullchain.pem",
            cert.to_str().unwrap(),
        )
        .replace(
            "/etc/letsencrypt/live/localhost/privkey.pem",
            key.to_str().unwrap(),
        );
    assert!(
        site.contains(cert.to_str().unwrap()),
        "the example names certbot's paths"
    );
    std::fs::write(dir.path().join("site.conf"), site).unwrap();
    let d = dir.path().display();
    // One process (no workers), so that stopping the child stops nginx: a worker left behind
    // would keep whatever the test inherited open (the build lock, among others).
    let main = format!(
        "daemon off;\nmaster_process off;\nuser root;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
         events {{}}\nhttp {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  \
         proxy_temp_path {d}/proxy;\n  fastcgi_temp_path {d}/fastcgi;\n  \
         uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n  include {d}/site.conf;\n}}\n"
    );
    std::fs::write(dir.path().join("nginx.conf"), main).unwrap();
    let conf = dir.path().join("nginx.conf");
    let test = Command::new(&nginx)
        .arg("-t")
        .arg("-c")
        .arg(&conf)
        .output()
        .unwrap();
    assert!(
        test.status.success(),
        "{}",
        String::from_utf8_lossy(&test.stderr)
    );
    let mut child = Command::new(&nginx)
        .arg("-c")
        .arg(&conf)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_port(&mut child, https_port, "nginx");
    let _nginx = Running(child);
    let _coopol = coopol(
        dir.path(),
        app_port,
        &format!("https://localhost:{https_port}"),
    );
    check_through(&client(&ca), https_port, dir.path()).await;
}

#[tokio::test]
async fn caddy_in_front_of_coopol() {
    let Some(caddy) = program("/usr/bin/caddy") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = certificates(dir.path());
    let (app_port, https_port) = (free_port(), free_port());
    // The example's site block, on a test port with the test's certificate; Caddy's admin
    // endpoint and automatic certificates off.
    let site = deploy_file("Caddyfile")
        .replace(
            "section.example.org {",
            &format!(
                "{{\n\tadmin off\n\tauto_https off\n\tstorage file_system {}/caddy\n}}\n\n\
                 https://localhost:{https_port} {{\n\ttls {} {}",
                dir.path().display(),
                cert.display(),
                key.display()
            ),
        )
        .replace("127.0.0.1:8080", &format!("127.0.0.1:{app_port}"));
    let file = dir.path().join("Caddyfile");
    std::fs::write(&file, site).unwrap();
    let mut child = Command::new(&caddy)
        .args(["run", "--adapter", "caddyfile", "--config"])
        .arg(&file)
        .env("HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path())
        .env("XDG_CONFIG_HOME", dir.path())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_port(&mut child, https_port, "caddy");
    let _caddy = Running(child);
    let _coopol = coopol(
        dir.path(),
        app_port,
        &format!("https://localhost:{https_port}"),
    );
    check_through(&client(&ca), https_port, dir.path()).await;
}
