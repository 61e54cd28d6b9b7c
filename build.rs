//! Rebuilds when migrations or translations change: `sqlx::migrate!` and the Fluent loader
//! embed those files at compile time.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=locales");
}
