//! Genesys Cloud regions: a region code or a domain becomes the API and login base URLs.

/// Region code → domain (`https://api.<domain>`, `https://login.<domain>`).
pub const REGIONS: &[(&str, &str)] = &[
    ("us-east-1", "mypurecloud.com"),
    ("us-east-2", "use2.us-gov-pure.cloud"),
    ("us-west-2", "usw2.pure.cloud"),
    ("ca-central-1", "cac1.pure.cloud"),
    ("sa-east-1", "sae1.pure.cloud"),
    ("mx-central-1", "mxc1.pure.cloud"),
    ("eu-west-1", "mypurecloud.ie"),
    ("eu-west-2", "euw2.pure.cloud"),
    ("eu-central-1", "mypurecloud.de"),
    ("eu-central-2", "euc2.pure.cloud"),
    ("me-central-1", "mec1.pure.cloud"),
    ("ap-south-1", "aps1.pure.cloud"),
    ("ap-northeast-1", "mypurecloud.jp"),
    ("ap-northeast-2", "apne2.pure.cloud"),
    ("ap-northeast-3", "apne3.pure.cloud"),
    ("ap-southeast-1", "apse1.pure.cloud"),
    ("ap-southeast-2", "mypurecloud.com.au"),
];

/// The API and login base URLs of one region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// `https://api.<domain>`.
    pub api: String,
    /// `https://login.<domain>`.
    pub login: String,
}

/// Resolves a region code (`eu-west-1`) or domain (`mypurecloud.ie`, also `api.mypurecloud.ie`).
pub fn resolve(region: &str) -> Result<Endpoints, String> {
    let r = region.trim().to_ascii_lowercase();
    let domain = REGIONS
        .iter()
        .find(|(code, domain)| *code == r || *domain == r || r == format!("api.{domain}"))
        .map(|(_, d)| *d)
        .ok_or_else(|| {
            let codes: Vec<&str> = REGIONS.iter().map(|(c, _)| *c).collect();
            format!(
                "unknown Genesys region {region:?}; use one of {} or its domain",
                codes.join(", ")
            )
        })?;
    Ok(Endpoints {
        api: format!("https://api.{domain}"),
        login: format!("https://login.{domain}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_domains_resolve_alike() {
        let a = resolve("eu-west-1").unwrap();
        assert_eq!(a, resolve("mypurecloud.ie").unwrap());
        assert_eq!(a, resolve("API.mypurecloud.ie").unwrap());
        assert_eq!(a.login, "https://login.mypurecloud.ie");
        assert_eq!(
            resolve("ap-southeast-2").unwrap().api,
            "https://api.mypurecloud.com.au"
        );
        assert_eq!(REGIONS.len(), 17);
        assert!(resolve("mars-1").unwrap_err().contains("eu-west-1"));
    }
}
