//! Failed authentications, counted per client address: an address that
//! keeps presenting unknown tokens is held (429 with `Retry-After`), and
//! while it is held no credential it presents is looked at — otherwise a
//! guesser that ignored the 429s would still learn when a guess was right.
//! Only failures count: an address whose clients present good tokens is
//! never held, and the public API, which needs no token, never is.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Addresses remembered before the ones whose allowance is full again
/// are forgotten.
const REMEMBERED: usize = 10_000;

pub struct FailedAuthentications {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
    /// Addresses over their allowance, and until when.
    held: Mutex<HashMap<IpAddr, Instant>>,
}

impl FailedAuthentications {
    /// Allows `per_minute` failures at once, then one more every
    /// `60 / per_minute` seconds.
    pub fn new(per_minute: NonZeroU32) -> Self {
        Self {
            limiter: RateLimiter::keyed(Quota::per_minute(per_minute)),
            clock: DefaultClock::default(),
            held: Mutex::new(HashMap::new()),
        }
    }

    /// `Err` with the time left while `client` is held: its credentials are
    /// then not looked at.
    pub fn admit(&self, client: Option<IpAddr>) -> Result<(), Duration> {
        let now = Instant::now();
        let held = self.held.lock().expect("throttle lock");
        match held.get(&key_of(client)) {
            Some(&until) if until > now => Err(until - now),
            _ => Ok(()),
        }
    }

    /// Counts a failure from `client` (`None` when the server does not
    /// know the peer: all such clients share one allowance). `Err` is how
    /// long the client has to wait before a token of theirs is looked at.
    pub fn count(&self, client: Option<IpAddr>) -> Result<(), Duration> {
        if self.limiter.len() > REMEMBERED {
            self.limiter.retain_recent();
        }
        let key = key_of(client);
        let wait =
            self.limiter.check_key(&key).map_err(|not_until| not_until.wait_time_from(self.clock.now()));
        if let Err(wait) = wait {
            let now = Instant::now();
            let mut held = self.held.lock().expect("throttle lock");
            if held.len() > REMEMBERED {
                held.retain(|_, until| *until > now);
            }
            held.insert(key, now + wait);
        }
        wait
    }
}

fn key_of(client: Option<IpAddr>) -> IpAddr {
    client.map_or(IpAddr::V6(Ipv6Addr::UNSPECIFIED), client_key)
}

/// An IPv4 client is one address; an IPv6 client is its /64, which one
/// host can fill with addresses of its own.
pub fn client_key(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(Ipv6Addr::from(prefix))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(text: &str) -> Option<IpAddr> {
        Some(text.parse().unwrap())
    }

    #[test]
    fn each_address_has_its_own_allowance() {
        let failures = FailedAuthentications::new(NonZeroU32::new(2).unwrap());
        assert!(failures.count(address("192.0.2.1")).is_ok());
        assert!(failures.count(address("192.0.2.1")).is_ok());
        let wait = failures.count(address("192.0.2.1")).unwrap_err();
        assert!(wait > Duration::from_secs(20) && wait <= Duration::from_secs(30), "{wait:?}");
        assert!(failures.count(address("192.0.2.2")).is_ok(), "another address is not held back");
        assert!(failures.count(address("::ffff:192.0.2.1")).is_err(), "the same address over IPv6");
    }

    #[test]
    fn a_held_address_is_not_admitted_until_its_wait_is_over() {
        let failures = FailedAuthentications::new(NonZeroU32::new(1).unwrap());
        assert!(failures.admit(address("192.0.2.1")).is_ok());
        assert!(failures.count(address("192.0.2.1")).is_ok());
        assert!(failures.admit(address("192.0.2.1")).is_ok(), "within its allowance");
        assert!(failures.count(address("192.0.2.1")).is_err());
        let wait = failures.admit(address("192.0.2.1")).unwrap_err();
        assert!(wait > Duration::from_secs(50) && wait <= Duration::from_secs(60), "{wait:?}");
        assert!(failures.admit(address("192.0.2.2")).is_ok(), "another address is admitted");
    }

    #[test]
    fn an_ipv6_client_is_its_slash_64() {
        assert_eq!(
            client_key("2001:db8:1:2:aaaa::1".parse().unwrap()),
            client_key("2001:db8:1:2::ffff".parse().unwrap())
        );
        assert_ne!(
            client_key("2001:db8:1:2::1".parse().unwrap()),
            client_key("2001:db8:1:3::1".parse().unwrap())
        );
        assert_eq!(client_key("203.0.113.9".parse().unwrap()), "203.0.113.9".parse::<IpAddr>().unwrap());
    }
}
