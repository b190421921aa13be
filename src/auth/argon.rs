//! Argon2id hashing and verification into caller-owned memory.
//!
//! The `argon2` crate's convenience API allocates the whole memory cost (19 MiB by default) for
//! every hash and frees it after. Under load glibc's allocator kept those freed blocks in
//! per-thread arenas, so resident memory climbed far past what was in use (measured: 340–530 MB
//! after ten seconds of logins). Each hashing thread here owns one `Scratch` while it has work
//! instead: memory is at most `threads × m_cost`, allocated once per burst (see `passwords`).
//! A block that size is above jemalloc's oversize threshold (8 MiB), so it comes from
//! jemalloc's arena for huge allocations, which hands freed memory back to the system at once.

use argon2::password_hash::phc::{Output, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use subtle::ConstantTimeEq as _;

/// The Argon2 memory of one hashing thread, grown on first use to the configured cost.
#[derive(Debug, Default)]
pub struct Scratch(Vec<Block>);

impl Scratch {
    fn blocks(&mut self, count: usize) -> &mut [Block] {
        if self.0.len() < count {
            self.0.resize(count, Block::default());
        }
        &mut self.0[..count]
    }
}

/// An Argon2id PHC string for `password` with `params` and a fresh random salt.
pub fn hash(
    params: &Params,
    password: &[u8],
    scratch: &mut Scratch,
) -> Result<String, argon2::Error> {
    let salt = argon2::password_hash::generate_salt();
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password_into_with_memory(
            password,
            &salt,
            &mut out,
            scratch.blocks(params.block_count()),
        )?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: params
            .try_into()
            .map_err(|_| argon2::Error::OutputTooShort)?,
        salt: Some(Salt::new(&salt).map_err(|_| argon2::Error::SaltTooShort)?),
        hash: Some(Output::new(&out).map_err(|_| argon2::Error::OutputTooShort)?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the Argon2 PHC string `hash` (any variant, version and
/// parameters), compared in constant time. A hash whose memory cost exceeds `max_kib` is refused
/// unchecked: a stored string must not be able to make the server allocate without bound.
pub fn verify(hash: &PasswordHash, password: &[u8], scratch: &mut Scratch, max_kib: u32) -> bool {
    let (Some(salt), Some(expected)) = (&hash.salt, &hash.hash) else {
        return false;
    };
    let Ok(params) = Params::try_from(hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(hash.algorithm.as_str()) else {
        return false;
    };
    let version = hash
        .version
        .and_then(|v| Version::try_from(v).ok())
        .unwrap_or(Version::V0x13);
    if params.m_cost() > max_kib {
        return false;
    }
    let expected = expected.as_bytes();
    let mut out = vec![0u8; expected.len()];
    let blocks = scratch.blocks(params.block_count());
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password, salt.as_ref(), &mut out, blocks)
        .is_ok_and(|()| out.ct_eq(expected).into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::PasswordHasher as _;

    #[test]
    fn hashes_match_the_argon2_crate_both_ways() {
        let params = Params::new(64, 1, 1, None).expect("params");
        let mut scratch = Scratch::default();
        let ours = hash(&params, b"correct horse", &mut scratch).expect("hash");
        let parsed = PasswordHash::new(&ours).expect("a PHC string");
        assert!(verify(&parsed, b"correct horse", &mut scratch, 1 << 20));
        assert!(!verify(&parsed, b"correct horsE", &mut scratch, 1 << 20));
        let theirs = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(b"correct horse")
            .expect("hash")
            .to_string();
        let parsed = PasswordHash::new(&theirs).expect("a PHC string");
        assert!(verify(&parsed, b"correct horse", &mut scratch, 1 << 20));
        assert!(
            !verify(&parsed, b"correct horse", &mut scratch, 32),
            "over the memory bound"
        );
    }
}
