//! Secrets read from AWS Secrets Manager at start, so that no secret's value
//! sits in a Lambda function's environment (template.yaml gives each
//! function the ARNs it may read, and its role only those).
//!
//! A variable listed in [`FROM_SECRETS`] whose `*_SECRET_ARN` companion is
//! set is read from that secret's JSON key; without the companion the plain
//! variable is used, as in local runs and tests. Each secret is fetched once
//! (`GetSecretValue`, signed with SigV4 from the process's credentials, on a
//! thread of its own so a caller inside a Tokio runtime is not blocked on
//! it). The endpoint follows the SDK's variables
//! (`AWS_ENDPOINT_URL_SECRETS_MANAGER`, then `AWS_ENDPOINT_URL`).
//!
//! Not the Parameters and Secrets Lambda Extension: it answers during the
//! invoke phase only, and settings are read during init.

use std::{collections::HashMap, time::Duration};

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// A setting that may come from a secret: `var` is read from the JSON key
/// `key` of the secret whose ARN is in `arn_var`.
pub(super) struct FromSecret {
    pub var: &'static str,
    pub arn_var: &'static str,
    pub key: &'static str,
}

/// The secrets' layout is the one docs/deploy.md asks for.
pub(super) const FROM_SECRETS: &[FromSecret] = &[
    FromSecret { var: "DATABASE_URL", arn_var: "DATABASE_URL_SECRET_ARN", key: "url" },
    FromSecret { var: "JWT_SECRET", arn_var: "JWT_SECRET_ARN", key: "value" },
    FromSecret { var: "KAVENEGAR_API_KEY", arn_var: "KAVENEGAR_API_KEY_SECRET_ARN", key: "value" },
    FromSecret { var: "SMTP_HOST", arn_var: "SMTP_SECRET_ARN", key: "host" },
    FromSecret { var: "SMTP_USERNAME", arn_var: "SMTP_SECRET_ARN", key: "username" },
    FromSecret { var: "SMTP_PASSWORD", arn_var: "SMTP_SECRET_ARN", key: "password" },
    FromSecret { var: "SMTP_FROM", arn_var: "SMTP_SECRET_ARN", key: "from" },
];

const TIMEOUT: Duration = Duration::from_secs(5);

/// The values of every variable in `wanted` whose secret ARN is set, by
/// variable name; or every problem, each naming its variables (never a
/// secret's value).
pub(super) fn resolve(
    wanted: &[FromSecret],
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<HashMap<String, String>, Vec<String>> {
    let get = |name: &str| lookup(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let mut arns: Vec<String> = wanted.iter().filter_map(|w| get(w.arn_var)).collect();
    arns.sort();
    arns.dedup();
    if arns.is_empty() {
        return Ok(HashMap::new());
    }
    let client = match Client::from_lookup(&get) {
        Ok(client) => client,
        Err(problem) => {
            let vars: Vec<&str> = wanted.iter().filter(|w| get(w.arn_var).is_some()).map(|w| w.arn_var).collect();
            return Err(vec![format!("{}: {problem}", vars.join(", "))]);
        }
    };
    // Its own thread and runtime: the caller may be inside a Tokio runtime,
    // where blocking on a future is not allowed.
    let fetched: HashMap<String, Result<String, String>> =
        std::thread::scope(|scope| scope.spawn(|| client.fetch_all(&arns)).join())
            .unwrap_or_else(|_| arns.iter().map(|a| (a.clone(), Err("the fetch panicked".to_owned()))).collect());

    let mut values = HashMap::new();
    let mut problems = Vec::new();
    for w in wanted {
        let Some(arn) = get(w.arn_var) else { continue };
        match fetched.get(&arn) {
            Some(Ok(secret)) => match field(secret, w.key) {
                Some(value) => {
                    values.insert(w.var.to_owned(), value);
                }
                None => problems.push(format!("{} (from {}): the secret has no `{}` key", w.var, w.arn_var, w.key)),
            },
            Some(Err(problem)) => problems.push(format!("{} (from {}): {problem}", w.var, w.arn_var)),
            None => problems.push(format!("{} (from {}): not fetched", w.var, w.arn_var)),
        }
    }
    if problems.is_empty() {
        Ok(values)
    } else {
        Err(problems)
    }
}

/// `key` of a JSON object secret; a secret that is not a JSON object is its
/// own value for any key.
fn field(secret: &str, key: &str) -> Option<String> {
    match serde_json::from_str::<serde_json::Value>(secret) {
        Ok(serde_json::Value::Object(map)) => map.get(key).and_then(|v| v.as_str()).map(str::to_owned),
        _ => Some(secret.to_owned()),
    }
}

pub(super) struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
}

struct Client {
    endpoint: String,
    region: String,
    credentials: Credentials,
}

impl Client {
    fn from_lookup(get: &dyn Fn(&str) -> Option<String>) -> Result<Self, String> {
        let region = get("AWS_REGION").or_else(|| get("AWS_DEFAULT_REGION")).ok_or("AWS_REGION is not set")?;
        let (Some(access_key_id), Some(secret_access_key)) = (get("AWS_ACCESS_KEY_ID"), get("AWS_SECRET_ACCESS_KEY"))
        else {
            return Err("no AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)".into());
        };
        let endpoint = get("AWS_ENDPOINT_URL_SECRETS_MANAGER")
            .or_else(|| get("AWS_ENDPOINT_URL"))
            .unwrap_or_else(|| format!("https://secretsmanager.{region}.amazonaws.com"));
        let credentials = Credentials { access_key_id, secret_access_key, session_token: get("AWS_SESSION_TOKEN") };
        Ok(Self { endpoint: endpoint.trim_end_matches('/').to_owned(), region, credentials })
    }

    fn fetch_all(&self, arns: &[String]) -> HashMap<String, Result<String, String>> {
        let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
            Ok(runtime) => runtime,
            Err(err) => return arns.iter().map(|a| (a.clone(), Err(format!("no runtime: {err}")))).collect(),
        };
        runtime.block_on(async {
            let http = reqwest::Client::builder().timeout(TIMEOUT).build();
            let mut out = HashMap::new();
            for arn in arns {
                let result = match &http {
                    Ok(http) => self.fetch(http, arn).await,
                    Err(err) => Err(format!("no HTTP client: {err}")),
                };
                out.insert(arn.clone(), result);
            }
            out
        })
    }

    async fn fetch(&self, http: &reqwest::Client, arn: &str) -> Result<String, String> {
        let body = serde_json::json!({ "SecretId": arn }).to_string();
        let host = host_of(&self.endpoint).ok_or_else(|| format!("bad endpoint `{}`", self.endpoint))?;
        let now = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
        let mut headers = vec![
            ("content-type".to_owned(), "application/x-amz-json-1.1".to_owned()),
            ("host".to_owned(), host),
            ("x-amz-date".to_owned(), now.clone()),
            ("x-amz-target".to_owned(), "secretsmanager.GetSecretValue".to_owned()),
        ];
        if let Some(token) = &self.credentials.session_token {
            headers.push(("x-amz-security-token".to_owned(), token.clone()));
        }
        let authorization =
            sign_v4("POST", "/", &headers, body.as_bytes(), &now, &self.region, "secretsmanager", &self.credentials);
        let mut request = http.post(format!("{}/", self.endpoint)).header("authorization", authorization);
        for (name, value) in headers.iter().filter(|(name, _)| name != "host") {
            request = request.header(name.as_str(), value.as_str());
        }
        let response = request.body(body).send().await.map_err(|err| format!("Secrets Manager unreachable: {err}"))?;
        let status = response.status();
        let text = response.text().await.map_err(|err| format!("Secrets Manager's answer unreadable: {err}"))?;
        let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        if !status.is_success() {
            // AWS errors: {"__type": "...#ResourceNotFoundException", "message": "..."}.
            let kind = json["__type"].as_str().unwrap_or("").rsplit('#').next().unwrap_or("").to_owned();
            let message = json["message"].as_str().or_else(|| json["Message"].as_str()).unwrap_or("");
            return Err(format!("Secrets Manager answered {status} {kind} {message}").trim().to_owned());
        }
        json["SecretString"].as_str().map(str::to_owned).ok_or_else(|| "the secret has no SecretString".to_owned())
    }
}

/// `host[:port]` of `http(s)://host[:port][/…]`, as the Host header carries it.
fn host_of(endpoint: &str) -> Option<String> {
    let rest = endpoint.split_once("://")?.1;
    let host = rest.split(['/', '?']).next()?;
    let host = host.strip_suffix(":443").filter(|_| endpoint.starts_with("https:")).unwrap_or(host);
    let host = host.strip_suffix(":80").filter(|_| endpoint.starts_with("http:")).unwrap_or(host);
    (!host.is_empty()).then(|| host.to_owned())
}

fn hmac(key: &[u8], data: &str) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// The `Authorization` header of AWS Signature Version 4 for a request
/// without a query string; `headers` are all signed (lowercase names).
#[allow(clippy::too_many_arguments)]
pub(super) fn sign_v4(
    method: &str,
    path: &str,
    headers: &[(String, String)],
    body: &[u8],
    amz_date: &str,
    region: &str,
    service: &str,
    credentials: &Credentials,
) -> String {
    let mut sorted: Vec<(String, String)> =
        headers.iter().map(|(n, v)| (n.to_ascii_lowercase(), v.trim().to_owned())).collect();
    sorted.sort();
    let canonical_headers: String = sorted.iter().map(|(n, v)| format!("{n}:{v}\n")).collect();
    let signed_headers = sorted.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(";");
    let canonical_request =
        format!("{method}\n{path}\n\n{canonical_headers}\n{signed_headers}\n{}", hex::encode(Sha256::digest(body)));
    let date = &amz_date[..8];
    let scope = format!("{date}/{region}/{service}/aws4_request");
    let string_to_sign =
        format!("AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}", hex::encode(Sha256::digest(canonical_request.as_bytes())));
    let key = hmac(format!("AWS4{}", credentials.secret_access_key).as_bytes(), date);
    let key = hmac(&hmac(&hmac(&key, region), service), "aws4_request");
    let signature = hex::encode(hmac(&key, &string_to_sign));
    format!(
        "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
        credentials.access_key_id
    )
}

#[cfg(test)]
mod tests {
    use std::{
        io::{Read, Write},
        net::TcpListener,
        sync::{Arc, Mutex},
    };

    use super::*;

    #[test]
    fn signs_like_the_aws_sdk() {
        // The same request signed by botocore's SigV4Auth at the same instant.
        let headers: Vec<(String, String)> = [
            ("content-type", "application/x-amz-json-1.1"),
            ("host", "secretsmanager.us-east-1.amazonaws.com"),
            ("x-amz-date", "20261204T210000Z"),
            ("x-amz-target", "secretsmanager.GetSecretValue"),
            ("x-amz-security-token", "SESSIONTOKEN"),
        ]
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
        let credentials = Credentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
            session_token: Some("SESSIONTOKEN".into()),
        };
        let body = br#"{"SecretId":"arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"}"#;
        let authorization =
            sign_v4("POST", "/", &headers, body, "20261204T210000Z", "us-east-1", "secretsmanager", &credentials);
        assert_eq!(
            authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261204/us-east-1/secretsmanager/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, \
             Signature=1d6d14c28892981ffc58bf882fa7af4648d4613f180d9f057eac16d4fd60bba6"
        );
    }

    /// A stand-in for Secrets Manager on a local port: answers each
    /// `GetSecretValue` from `secrets` (by SecretId), 400 for others, and
    /// records each request.
    fn fake_secrets_manager(secrets: HashMap<String, String>) -> (String, Arc<Mutex<Vec<String>>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let mut stream = stream.unwrap();
                let request = read_request(&mut stream);
                let body = request.split("\r\n\r\n").nth(1).unwrap_or("").to_owned();
                let id: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
                let id = id["SecretId"].as_str().unwrap_or("").to_owned();
                let (status, answer) = match secrets.get(&id) {
                    Some(value) => ("200 OK", serde_json::json!({ "ARN": id, "SecretString": value })),
                    None => (
                        "400 Bad Request",
                        serde_json::json!({ "__type": "ResourceNotFoundException", "message": "no such secret" }),
                    ),
                };
                log.lock().unwrap().push(request);
                let answer = answer.to_string();
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\ncontent-type: application/x-amz-json-1.1\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                    answer.len()
                );
            }
        });
        (endpoint, seen)
    }

    fn read_request(stream: &mut std::net::TcpStream) -> String {
        let mut data = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            let n = stream.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            data.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&data);
            if let Some(end) = text.find("\r\n\r\n") {
                let length = text[..end]
                    .lines()
                    .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_owned()))
                    .and_then(|v| v.parse::<usize>().ok())
                    .unwrap_or(0);
                if data.len() >= end + 4 + length {
                    break;
                }
            }
        }
        String::from_utf8_lossy(&data).into_owned()
    }

    fn lookup(pairs: Vec<(&'static str, String)>) -> impl Fn(&str) -> Option<String> {
        move |name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone())
    }

    const DB: &str = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf";
    const SMTP: &str = "arn:aws:secretsmanager:us-east-1:123456789012:secret:smtp-AbCdEf";

    fn aws(endpoint: &str) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE".into()),
            ("AWS_SECRET_ACCESS_KEY", "secret".into()),
            ("AWS_SESSION_TOKEN", "SESSIONTOKEN".into()),
            ("AWS_ENDPOINT_URL_SECRETS_MANAGER", endpoint.into()),
        ]
    }

    #[test]
    fn settings_come_from_their_secrets_each_fetched_once() {
        let (endpoint, seen) = fake_secrets_manager(HashMap::from([
            (DB.to_owned(), r#"{"url":"mysql://app:pw@db:3306/app","username":"app"}"#.to_owned()),
            (
                SMTP.to_owned(),
                r#"{"host":"smtp.example.com","username":"u","password":"hunter2","from":"a@example.com"}"#.to_owned(),
            ),
        ]));
        let mut env = aws(&endpoint);
        env.push(("DATABASE_URL_SECRET_ARN", DB.into()));
        env.push(("SMTP_SECRET_ARN", SMTP.into()));
        env.push(("JWT_SECRET", "from the plain environment".into()));
        let values = resolve(FROM_SECRETS, &lookup(env)).unwrap();
        assert_eq!(values["DATABASE_URL"], "mysql://app:pw@db:3306/app");
        assert_eq!(values["SMTP_HOST"], "smtp.example.com");
        assert_eq!(values["SMTP_PASSWORD"], "hunter2");
        assert_eq!(values["SMTP_FROM"], "a@example.com");
        assert!(!values.contains_key("JWT_SECRET"), "no ARN: the plain variable stays in charge");
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 2, "one request per secret");
        for request in seen.iter() {
            let lower = request.to_ascii_lowercase();
            assert!(lower.contains("x-amz-target: secretsmanager.getsecretvalue"), "{request}");
            assert!(lower.contains("x-amz-security-token: sessiontoken"), "{request}");
            assert!(
                lower.contains("authorization: aws4-hmac-sha256 credential=akidexample/"),
                "a SigV4 signature: {request}"
            );
        }
    }

    #[test]
    fn settings_read_from_secrets_through_from_source() {
        let (endpoint, _) = fake_secrets_manager(HashMap::from([
            (DB.to_owned(), r#"{"url":"mysql://app:pw@db:3306/app"}"#.to_owned()),
            ("jwt".to_owned(), "x".repeat(40)),
        ]));
        let mut env = aws(&endpoint);
        env.extend([
            ("DATABASE_URL_SECRET_ARN", DB.to_owned()),
            ("JWT_SECRET_ARN", "jwt".to_owned()),
            ("S3_BUCKET", "bucket".to_owned()),
            ("SQS_SESSIONS_QUEUE_URL", "http://localhost/q".to_owned()),
        ]);
        let settings = super::super::Settings::from_lookup_with_secrets(lookup(env)).unwrap();
        assert_eq!(settings.database_url, "mysql://app:pw@db:3306/app");
        assert_eq!(settings.jwt_secret.expose(), "x".repeat(40), "a secret that is not JSON is its own value");
    }

    #[test]
    fn a_missing_secret_or_key_is_named_without_values() {
        let (endpoint, _) = fake_secrets_manager(HashMap::from([(SMTP.to_owned(), r#"{"host":"h"}"#.to_owned())]));
        let mut env = aws(&endpoint);
        env.push(("DATABASE_URL_SECRET_ARN", DB.into()));
        env.push(("SMTP_SECRET_ARN", SMTP.into()));
        let problems = resolve(FROM_SECRETS, &lookup(env)).unwrap_err().join("\n");
        assert!(problems.contains("DATABASE_URL (from DATABASE_URL_SECRET_ARN)"), "{problems}");
        assert!(problems.contains("ResourceNotFoundException"), "{problems}");
        assert!(
            problems.contains("SMTP_PASSWORD (from SMTP_SECRET_ARN): the secret has no `password` key"),
            "{problems}"
        );
        assert!(!problems.contains("SMTP_HOST"), "a key that is there is no problem: {problems}");
    }

    #[test]
    fn without_credentials_the_arn_variables_are_named() {
        let env = vec![("AWS_REGION", "us-east-1".to_owned()), ("JWT_SECRET_ARN", "jwt".to_owned())];
        let problems = resolve(FROM_SECRETS, &lookup(env)).unwrap_err().join("\n");
        assert!(problems.starts_with("JWT_SECRET_ARN: no AWS credentials"), "{problems}");
    }

    #[test]
    fn without_arns_nothing_is_fetched() {
        assert!(resolve(FROM_SECRETS, &lookup(vec![("DATABASE_URL", "mysql://x".into())])).unwrap().is_empty());
    }
}
