//! Kafka Streams' generated names: one counter per builder, shared by
//! processor and store names (`KSTREAM-FILTER-0000000001`,
//! `KSTREAM-AGGREGATE-STATE-STORE-0000000003`).

/// The builder's name counter.
#[derive(Debug, Default)]
pub(crate) struct Names {
    next: u32,
}

impl Names {
    /// `prefix` + the next index, zero-padded to ten digits.
    pub(crate) fn processor(&mut self, prefix: &str) -> String {
        let name = format!("{prefix}{:010}", self.next);
        self.next += 1;
        name
    }

    /// `prefix` + `STATE-STORE-` + the next index.
    pub(crate) fn store(&mut self, prefix: &str) -> String {
        let name = format!("{prefix}STATE-STORE-{:010}", self.next);
        self.next += 1;
        name
    }

    /// A user's name, or a generated one. An index is taken either way, as
    /// Kafka Streams' `NamedInternal.orElseGenerateWithPrefix` does, so that
    /// naming one operation does not renumber the ones after it.
    pub(crate) fn or_processor(&mut self, user: Option<&str>, prefix: &str) -> String {
        let generated = self.processor(prefix);
        user.map_or(generated, str::to_owned)
    }

    /// A user's name `<name><suffix>` (an index still taken, as Kafka
    /// Streams' `suffixWithOrElseGet`), or a generated one.
    pub(crate) fn suffixed_or_processor(&mut self, user: Option<&str>, suffix: &str, prefix: &str) -> String {
        let generated = self.processor(prefix);
        user.map_or(generated, |n| format!("{n}{suffix}"))
    }

    /// A user's name, else a generated one; an index is taken only when
    /// generated (Kafka Streams' `repartition` and `suppress`).
    pub(crate) fn user_or_processor(&mut self, user: Option<&str>, prefix: &str) -> String {
        match user {
            Some(n) => n.to_owned(),
            None => self.processor(prefix),
        }
    }
}

/// Whether `name` is a generated one (Kafka's `KSTREAM.*-[0-9]{10}` test).
pub(crate) fn is_generated(name: &str) -> bool {
    name.starts_with("KSTREAM")
        && name.len() > 11
        && name.as_bytes()[name.len() - 11] == b'-'
        && name[name.len() - 10..].bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_share_one_counter() {
        let mut n = Names::default();
        assert_eq!(n.processor("KSTREAM-SOURCE-"), "KSTREAM-SOURCE-0000000000");
        assert_eq!(
            n.store("KSTREAM-AGGREGATE-"),
            "KSTREAM-AGGREGATE-STATE-STORE-0000000001"
        );
        assert_eq!(n.or_processor(Some("mine"), "KSTREAM-MAP-"), "mine");
        assert_eq!(n.or_processor(None, "KSTREAM-MAP-"), "KSTREAM-MAP-0000000003");
        assert_eq!(n.user_or_processor(Some("rep"), "KSTREAM-REPARTITION-"), "rep");
        assert_eq!(
            n.suffixed_or_processor(Some("t"), "-table-source", "KSTREAM-SOURCE-"),
            "t-table-source"
        );
        assert_eq!(n.processor("KSTREAM-MAP-"), "KSTREAM-MAP-0000000005");
    }

    #[test]
    fn generated_names_are_recognised() {
        assert!(is_generated("KSTREAM-AGGREGATE-STATE-STORE-0000000003"));
        assert!(is_generated("KSTREAM-REPARTITION-0000000001"));
        assert!(!is_generated("counts"));
        assert!(!is_generated("KTABLE-AGGREGATE-STATE-STORE-0000000003"));
        assert!(!is_generated("KSTREAM-x-000000003"));
    }
}
