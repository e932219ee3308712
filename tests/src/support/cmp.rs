//! OpenSSL's own CMP server (`openssl cmp -port`), the real CA peer for certificate requests.
//!
//! The server hands out one prepared certificate (`-rsp_cert`): the test has the OpenSSL CA sign
//! certkeeper's request first (`openssl x509 -req`), then starts a server with the result. It checks
//! the one-time code (`-srv_ref`/`-srv_secret`, CMP's password-based MAC), can make the client wait
//! (`-poll_count`, `-check_after`), and verifies the proof of possession and, with `-srv_trusted`,
//! signature-protected key updates. One server per test: it keeps the transaction's state.
//!
//! OpenSSL 3.0's server keeps a transaction only as long as the client's connection: when it closes,
//! the transaction is cancelled. A CA behind a reverse proxy keeps it in its database instead;
//! [`KeepAliveRelay`] plays that proxy, so that a client killed while waiting can go on in a new
//! process, as it can with a real CA.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use super::{Daemon, fixture, wait_until};

/// A free TCP port on the loopback interface.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}

/// `openssl` configured for CMP with GOST (engine and provider), in `dir`.
pub fn openssl(dir: &Path) -> Command {
    let program = std::env::var_os("TEST_OPENSSL").unwrap_or_else(|| "openssl".into());
    let mut command = Command::new(program);
    command
        .env("OPENSSL_CONF", fixture("openssl-gost-cmp.cnf"))
        .current_dir(dir);
    command
}

/// A CA in `dir` made by OpenSSL's GOST engine: its GOST R 34.10-2012 key (TC26 256 A) and
/// self-signed certificate, `ca.key` and `ca.crt`.
pub fn gost_ca(dir: &Path) -> (PathBuf, PathBuf) {
    let (key, cert) = (dir.join("ca.key"), dir.join("ca.crt"));
    super::run(
        openssl(dir)
            .args(["genpkey", "-algorithm", "gost2012_256"])
            .args(["-pkeyopt", "paramset:A", "-out"])
            .arg(&key),
    );
    super::run(
        openssl(dir)
            .args([
                "req",
                "-new",
                "-x509",
                "-utf8",
                "-md_gost12_256",
                "-days",
                "3650",
            ])
            .args(["-subj", "/CN=Тестовый УЦ/O=certkeeper tests/C=RU", "-key"])
            .arg(&key)
            .arg("-out")
            .arg(&cert),
    );
    (key, cert)
}

/// The CA's real signature on a request (`openssl x509 -req`, the request's extensions copied):
/// the certificate `dir/out` (PEM), valid `days`.
pub fn sign(
    dir: &Path,
    ca: &(PathBuf, PathBuf),
    csr: &Path,
    out: &str,
    serial: &str,
    days: u32,
    digest: &str,
) -> PathBuf {
    let out = dir.join(out);
    super::run(
        openssl(dir)
            .args(["x509", "-req", "-days", &days.to_string(), digest])
            .args(["-copy_extensions", "copyall", "-set_serial", serial, "-in"])
            .arg(csr)
            .arg("-CA")
            .arg(&ca.1)
            .arg("-CAkey")
            .arg(&ca.0)
            .arg("-out")
            .arg(&out),
    );
    out
}

/// What a server is started with.
#[derive(Debug, Clone)]
pub struct ServerOptions<'a> {
    /// The certificate it hands out (PEM).
    pub certificate: &'a Path,
    /// The CA certificate it sends as caPubs (PEM).
    pub ca: &'a Path,
    /// The one-time code's reference and the code.
    pub reference: &'a str,
    /// The one-time code.
    pub secret: &'a str,
    /// How many pollReq it answers with "wait" before the certificate.
    pub polls: u32,
    /// The checkAfter it says, seconds.
    pub check_after: u32,
    /// Trust anchor for signature-protected requests (a key update), PEM.
    pub trusted: Option<&'a Path>,
}

/// A running `openssl cmp -port` server, stopped when dropped.
#[derive(Debug)]
pub struct CmpServer {
    /// Its port on 127.0.0.1.
    pub port: u16,
    log: PathBuf,
    _daemon: Daemon,
}

impl CmpServer {
    /// Starts a server in `dir` and waits until it listens.
    pub fn start(dir: &Path, options: &ServerOptions<'_>) -> Self {
        let port = free_port();
        let log = dir.join(format!("cmp-server-{port}.log"));
        let output = std::fs::File::create(&log).expect("create the server log");
        let mut command = openssl(dir);
        command
            .args(["cmp", "-port", &port.to_string()])
            .args(["-srv_ref", options.reference])
            .arg("-srv_secret")
            .arg(format!("pass:{}", options.secret))
            .arg("-rsp_cert")
            .arg(options.certificate)
            .arg("-rsp_capubs")
            .arg(options.ca)
            .args(["-poll_count", &options.polls.to_string()])
            .args(["-check_after", &options.check_after.to_string()])
            .args(["-verbosity", "7"])
            .stdout(output.try_clone().expect("log"))
            .stderr(output)
            .stdin(Stdio::null());
        if let Some(trusted) = options.trusted {
            command.arg("-srv_trusted").arg(trusted);
        }
        let daemon = Daemon::spawn("openssl cmp server", &mut command);
        let server = Self {
            port,
            log,
            _daemon: daemon,
        };
        wait_until("the CMP server listens", Duration::from_secs(10), || {
            server.log().contains("ACCEPT")
        });
        server
    }

    /// Its CMP address.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/pkix/", self.port)
    }

    /// What it logged so far (`CMP DEBUG: received IR`, `sending POLLREP`, errors).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// How many messages of `kind` (IR, POLLREQ, CERTCONF, …) it received.
    pub fn received(&self, kind: &str) -> usize {
        self.log()
            .lines()
            .filter(|line| line.trim_end() == format!("CMP DEBUG: received {kind}"))
            .count()
    }
}

/// An HTTP/1.1 request or response read whole: the head and the body (Content-Length).
fn read_message(reader: &mut BufReader<TcpStream>) -> Option<(String, Vec<u8>)> {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let end = line == "\r\n" || line == "\n";
        head.push_str(&line);
        if end {
            break;
        }
    }
    let length = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())
                .flatten()
        })
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((head, body))
}

/// A reverse proxy in front of a CMP server that keeps one connection to it for every client
/// connection in turn: the server's transaction outlives a client process. When the server closes
/// the connection itself (as it does after an error answer), the relay connects again.
#[derive(Debug)]
pub struct KeepAliveRelay {
    /// Its port on 127.0.0.1.
    pub port: u16,
}

/// A connection to the CMP server: what is written to it and what is read from it.
struct Upstream {
    to_server: TcpStream,
    from_server: BufReader<TcpStream>,
}

impl Upstream {
    fn connect(port: u16) -> Option<Self> {
        let server = TcpStream::connect(("127.0.0.1", port)).ok()?;
        Some(Self {
            to_server: server.try_clone().ok()?,
            from_server: BufReader::new(server),
        })
    }

    /// Sends one CMP message and reads the answer.
    fn exchange(&mut self, body: &[u8]) -> Option<Vec<u8>> {
        let request = format!(
            "POST /pkix/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/pkixcmp\r\nContent-Length: {}\r\nConnection: keep-alive\r\n\r\n",
            body.len()
        );
        self.to_server.write_all(request.as_bytes()).ok()?;
        self.to_server.write_all(body).ok()?;
        read_message(&mut self.from_server).map(|(_, answer)| answer)
    }
}

impl KeepAliveRelay {
    /// Relays 127.0.0.1:PORT to the server on `upstream` (a thread that lives as long as the test).
    pub fn start(upstream: u16) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the relay");
        let port = listener.local_addr().expect("relay address").port();
        let mut server = Some(Upstream::connect(upstream).expect("connect to the CMP server"));
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                let mut to_client = client.try_clone().expect("clone");
                let mut from_client = BufReader::new(client);
                while let Some((_, body)) = read_message(&mut from_client) {
                    let mut answer = server.as_mut().and_then(|server| server.exchange(&body));
                    if answer.is_none() {
                        // The server closed its side: a new connection, the message once more.
                        server = Upstream::connect(upstream);
                        answer = server.as_mut().and_then(|server| server.exchange(&body));
                    }
                    let Some(answer) = answer else { break };
                    let response = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/pkixcmp\r\nContent-Length: {}\r\n\r\n",
                        answer.len()
                    );
                    if to_client.write_all(response.as_bytes()).is_err()
                        || to_client.write_all(&answer).is_err()
                    {
                        break;
                    }
                }
            }
        });
        Self { port }
    }

    /// Its CMP address.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/pkix/", self.port)
    }
}

/// TLS in front of a CMP server (`stunnel`, Debian's `stunnel4`): a CA's `https://` address, with a
/// server certificate for 127.0.0.1 from a test CA that no system trusts.
#[derive(Debug)]
pub struct TlsFront {
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// The test CA that issued the server certificate (PEM): trust it through `SSL_CERT_FILE`.
    pub trust_anchor: PathBuf,
    log: PathBuf,
    _daemon: Daemon,
}

impl TlsFront {
    /// Starts `stunnel` in `dir` in front of the server on `upstream` and waits until it listens.
    pub fn start(dir: &Path, upstream: u16) -> Self {
        super::require_program("stunnel4", "stunnel4");
        let tls = dir.join("tls");
        std::fs::create_dir_all(&tls).expect("tls folder");
        let file = |name: &str| tls.join(name);
        let openssl = |args: &[&str]| {
            let mut command =
                Command::new(std::env::var_os("TEST_OPENSSL").unwrap_or_else(|| "openssl".into()));
            command.current_dir(&tls).args(args);
            super::run(&mut command);
        };
        openssl(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=certkeeper test TLS CA",
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
        ]);
        openssl(&[
            "req",
            "-new",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
        ]);
        std::fs::write(file("san.cnf"), "subjectAltName = IP:127.0.0.1\n").expect("san");
        openssl(&[
            "x509",
            "-req",
            "-days",
            "2",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-set_serial",
            "1",
            "-extfile",
            "san.cnf",
            "-out",
            "server.crt",
        ]);
        let port = free_port();
        let log = dir.join(format!("stunnel-{port}.log"));
        std::fs::write(
            file("stunnel.conf"),
            format!(
                "foreground = yes\npid =\ndebug = 5\n[cmp]\naccept = 127.0.0.1:{port}\n\
                 connect = 127.0.0.1:{upstream}\ncert = {}\nkey = {}\n",
                file("server.crt").display(),
                file("server.key").display()
            ),
        )
        .expect("stunnel.conf");
        let output = std::fs::File::create(&log).expect("stunnel log");
        let daemon = Daemon::spawn(
            "stunnel",
            Command::new("stunnel4")
                .arg(file("stunnel.conf"))
                .stdout(output.try_clone().expect("log"))
                .stderr(output)
                .stdin(Stdio::null()),
        );
        let front = Self {
            port,
            trust_anchor: file("ca.crt"),
            log,
            _daemon: daemon,
        };
        wait_until("stunnel listens", Duration::from_secs(10), || {
            std::fs::read_to_string(&front.log)
                .is_ok_and(|text| text.contains("Configuration successful"))
        });
        front
    }

    /// Its CMP address.
    pub fn url(&self) -> String {
        format!("https://127.0.0.1:{}/pkix/", self.port)
    }
}
