//! The identity schema (portable SQL: see `quorum_store`).

use quorum_store::Migration;

pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration::new(
        1,
        "users",
        "CREATE TABLE users (
            id TEXT PRIMARY KEY,
            email TEXT NOT NULL,
            email_key TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            locale TEXT,
            password_hash TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        )",
    ),
    Migration::new(
        2,
        "refresh_tokens",
        "CREATE TABLE refresh_families (
            id TEXT PRIMARY KEY,
            user_id TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            revoked_at BIGINT
        );
        CREATE INDEX refresh_families_user ON refresh_families (user_id);
        CREATE TABLE refresh_tokens (
            token_hash TEXT PRIMARY KEY,
            family_id TEXT NOT NULL REFERENCES refresh_families (id) ON DELETE CASCADE,
            user_id TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL,
            spent_at BIGINT
        );
        CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id)",
    ),
    Migration::new(
        3,
        "signing_keys",
        "CREATE TABLE signing_keys (
            kid TEXT PRIMARY KEY,
            pkcs8 TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            activates_at BIGINT NOT NULL,
            retired_at BIGINT
        )",
    ),
    Migration::new(
        4,
        "revoked_tokens",
        "CREATE TABLE revoked_tokens (
            jti TEXT PRIMARY KEY,
            user_id TEXT NOT NULL,
            expires_at BIGINT NOT NULL
        );
        CREATE INDEX revoked_tokens_expiry ON revoked_tokens (expires_at)",
    ),
    Migration::new(
        5,
        "users_time_zone",
        "ALTER TABLE users ADD COLUMN time_zone TEXT",
    ),
    // Failed attempts to prove an account's password (sign-in, re-authentication), by the
    // account's e-mail key, known account or not: the per-account backoff (`throttle.rs`).
    Migration::new(
        6,
        "login_throttle",
        "CREATE TABLE login_throttle (
            account_key TEXT PRIMARY KEY,
            failures BIGINT NOT NULL,
            blocked_until BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        );
        CREATE INDEX login_throttle_updated ON login_throttle (updated_at)",
    ),
    // A requested change of address waiting for the code sent to the new one (one per user).
    Migration::new(
        7,
        "email_changes",
        "CREATE TABLE email_changes (
            user_id TEXT PRIMARY KEY,
            email TEXT NOT NULL,
            email_key TEXT NOT NULL,
            code_hash TEXT NOT NULL,
            attempts BIGINT NOT NULL,
            expires_at BIGINT NOT NULL,
            created_at BIGINT NOT NULL
        )",
    ),
];
