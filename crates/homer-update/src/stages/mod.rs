//! The stages of `homer update`, in the order they run.

pub(crate) mod behavior;
pub(crate) mod code;
pub(crate) mod embed;
pub(crate) mod graph;
pub(crate) mod history;
pub(crate) mod tree;

#[cfg(test)]
mod tests {
    //! Each stage's signature is derived from the signatures of the stages
    //! it reads, so a change anywhere upstream (a task version, a setting,
    //! a new commit) moves every signature below it and no stored output
    //! that depends on it is kept by mistake.

    use std::collections::{BTreeMap, BTreeSet};

    use homer_dag::{Signature, Task, TaskKind, signature};

    use crate::config::{CodeConfig, CouplingConfig, GraphConfig};

    fn history(kinds: &[TaskKind]) -> Signature {
        let base = Some(super::history::Base {
            mailmap: String::new(),
            renames: homer_git::RenameSettings {
                detect: true,
                limit: 1000,
            },
            shallow: Vec::new(),
            bound: None,
            task_version: kinds
                .iter()
                .find(|k| k.name == "commit")
                .map_or(0, |k| k.version),
        });
        signature(
            kinds,
            &super::history::StageInputs {
                head: None,
                base: &base,
                missing: &BTreeMap::new(),
            },
        )
    }

    fn behavior(history: Signature, tree: Signature) -> Signature {
        signature(
            &super::behavior::KINDS,
            &super::behavior::StageInputs {
                history,
                tree,
                config: &CouplingConfig::default(),
                shallow: &BTreeSet::new(),
            },
        )
    }

    fn code(tree: Signature, config: &CodeConfig) -> Signature {
        signature(
            &super::code::KINDS,
            &super::code::StageInputs {
                tree,
                config,
                missing: &BTreeSet::new(),
            },
        )
    }

    fn graph(code: Signature, behavior: Signature) -> Signature {
        signature(
            &super::graph::KINDS,
            &super::graph::StageInputs {
                code,
                behavior,
                config: &GraphConfig::default(),
            },
        )
    }

    #[test]
    fn the_engine_and_the_readers_name_the_revision_alike() {
        assert_eq!(
            homer_dag::REVISION_CHECKPOINT,
            homer_vocab::Checkpoint::Revision.name()
        );
    }

    #[test]
    fn a_new_history_version_moves_the_behavior_and_graph_signatures() {
        let now = super::history::Commit::KIND;
        let bumped = TaskKind::new(now.name, now.version + 1);
        let tree = signature(&[TaskKind::new("tree", 1)], &0u8);
        let code = code(tree, &CodeConfig::default());
        let (h1, h2) = (history(&[now]), history(&[bumped]));
        assert_ne!(h1, h2);
        assert_ne!(behavior(h1, tree), behavior(h2, tree));
        assert_ne!(
            graph(code, behavior(h1, tree)),
            graph(code, behavior(h2, tree))
        );
    }

    #[test]
    fn a_new_tree_moves_code_behavior_and_graph() {
        let h = history(&[super::history::Commit::KIND]);
        let t1 = signature(&[TaskKind::new("tree", 1)], &1u8);
        let t2 = signature(&[TaskKind::new("tree", 1)], &2u8);
        let config = CodeConfig::default();
        assert_ne!(code(t1, &config), code(t2, &config));
        assert_ne!(behavior(h, t1), behavior(h, t2));
        assert_ne!(
            graph(code(t1, &config), behavior(h, t1)),
            graph(code(t2, &config), behavior(h, t2))
        );
        let bigger = CodeConfig {
            max_file_bytes: config.max_file_bytes + 1,
            ..config.clone()
        };
        assert_ne!(code(t1, &config), code(t1, &bigger));
    }
}
