//! A fake SMTP server on a free loopback port, speaking just enough SMTP for lettre, that records what
//! it accepts.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use support_server::config::SmtpUrl;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// How the fake server answers `RCPT TO`.
#[derive(Debug, Clone, Copy)]
pub enum Mode {
    /// Accept every recipient.
    Accept,
    /// Refuse every recipient with a permanent error.
    RejectRecipients,
}

/// One email the fake server accepted.
#[derive(Debug, Clone)]
pub struct Received {
    pub recipients: Vec<String>,
    /// Everything between `DATA` and the terminating `.`: headers and body.
    pub data: String,
}

/// A fake SMTP server on a free loopback port, speaking just enough SMTP for lettre.
pub struct FakeSmtp {
    address: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    connections: Arc<AtomicUsize>,
}

impl FakeSmtp {
    /// Listens on a free port and answers every connection in a task of its own.
    pub async fn start(mode: Mode) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let (received_, connections_) = (received.clone(), connections.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                connections_.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(session(stream, mode, received_.clone()));
            }
        });
        Self {
            address,
            received,
            connections,
        }
    }

    /// Where the outbox should deliver.
    pub fn url(&self) -> SmtpUrl {
        format!("smtp://{}", self.address).parse().unwrap()
    }

    /// The emails accepted so far, in order.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// How many connections were opened so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

/// One SMTP conversation: records what `DATA` carries for the recipients accepted before it.
async fn session(
    stream: TcpStream,
    mode: Mode,
    received: Arc<Mutex<Vec<Received>>>,
) -> std::io::Result<()> {
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    writer.write_all(b"220 fake.test ESMTP\r\n").await?;
    let mut recipients = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_ascii_uppercase();
        let reply: &[u8] = if command.starts_with("EHLO") || command.starts_with("HELO") {
            b"250 fake.test\r\n"
        } else if command.starts_with("MAIL FROM:") {
            recipients.clear();
            b"250 OK\r\n"
        } else if command.starts_with("RCPT TO:") {
            match mode {
                Mode::Accept => {
                    let address = line.trim_end()["RCPT TO:".len()..]
                        .trim()
                        .trim_start_matches('<')
                        .split('>')
                        .next()
                        .unwrap_or_default()
                        .to_owned();
                    recipients.push(address);
                    b"250 OK\r\n"
                }
                Mode::RejectRecipients => b"550 5.1.1 No such user here\r\n",
            }
        } else if command == "DATA" {
            writer
                .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                .await?;
            let mut data = String::new();
            loop {
                line.clear();
                if reader.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" {
                    break;
                }
                data.push_str(&line);
            }
            received.lock().unwrap().push(Received {
                recipients: std::mem::take(&mut recipients),
                data,
            });
            b"250 OK queued\r\n"
        } else if command == "RSET" || command == "NOOP" {
            b"250 OK\r\n"
        } else if command == "QUIT" {
            writer.write_all(b"221 Bye\r\n").await?;
            return Ok(());
        } else {
            b"502 Command not implemented\r\n"
        };
        writer.write_all(reply).await?;
    }
}
