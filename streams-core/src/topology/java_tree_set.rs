//! A Java `TreeSet` (a red-black tree, as `java.util.TreeMap` builds it)
//! whose elements' sort keys may change after they are inserted.
//!
//! Kafka Streams' `describe()` keeps each node's successors and predecessors
//! in `TreeSet`s ordered by the size of the sub-graph below each node, and
//! grows those sizes while it is still connecting nodes. Elements already in
//! a set then sit where their old size put them, and a later insertion walks
//! the tree comparing against current sizes. The printed order depends on
//! the tree's exact shape, so this reproduces `TreeMap.put` and its
//! rebalancing (`fixAfterInsertion`, CLR's algorithm) step for step.

use std::cmp::Ordering;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Color {
    Red,
    Black,
}

#[derive(Debug, Clone)]
struct Entry {
    item: usize,
    left: Option<usize>,
    right: Option<usize>,
    parent: Option<usize>,
    color: Color,
}

/// A set of items (indices) ordered as a Java `TreeSet` with a comparator
/// that is consulted only on insertion.
#[derive(Debug, Clone, Default)]
pub(crate) struct JavaTreeSet {
    entries: Vec<Entry>,
    root: Option<usize>,
}

impl JavaTreeSet {
    /// Inserts `item` unless the walk finds an element comparing equal, as
    /// `TreeMap.put` does; `cmp(new, existing)` is the comparator.
    pub(crate) fn insert(&mut self, item: usize, mut cmp: impl FnMut(usize, usize) -> Ordering) {
        let Some(mut t) = self.root else {
            self.entries.push(Entry {
                item,
                left: None,
                right: None,
                parent: None,
                color: Color::Black,
            });
            self.root = Some(0);
            return;
        };
        let (parent, went_left) = loop {
            let order = cmp(item, self.entries[t].item);
            let next = match order {
                Ordering::Less => self.entries[t].left,
                Ordering::Greater => self.entries[t].right,
                Ordering::Equal => return,
            };
            match next {
                Some(n) => t = n,
                None => break (t, order == Ordering::Less),
            }
        };
        let e = self.entries.len();
        self.entries.push(Entry {
            item,
            left: None,
            right: None,
            parent: Some(parent),
            color: Color::Black,
        });
        if went_left {
            self.entries[parent].left = Some(e);
        } else {
            self.entries[parent].right = Some(e);
        }
        self.fix_after_insertion(e);
    }

    /// The items in iteration (in-order) order.
    pub(crate) fn items(&self) -> Vec<usize> {
        let mut out = Vec::with_capacity(self.entries.len());
        let mut stack = Vec::new();
        let mut node = self.root;
        while node.is_some() || !stack.is_empty() {
            while let Some(n) = node {
                stack.push(n);
                node = self.entries[n].left;
            }
            if let Some(n) = stack.pop() {
                out.push(self.entries[n].item);
                node = self.entries[n].right;
            }
        }
        out
    }

    fn parent_of(&self, e: Option<usize>) -> Option<usize> {
        e.and_then(|e| self.entries[e].parent)
    }

    fn left_of(&self, e: Option<usize>) -> Option<usize> {
        e.and_then(|e| self.entries[e].left)
    }

    fn right_of(&self, e: Option<usize>) -> Option<usize> {
        e.and_then(|e| self.entries[e].right)
    }

    fn color_of(&self, e: Option<usize>) -> Color {
        e.map_or(Color::Black, |e| self.entries[e].color)
    }

    fn set_color(&mut self, e: Option<usize>, color: Color) {
        if let Some(e) = e {
            self.entries[e].color = color;
        }
    }

    fn rotate_left(&mut self, p: Option<usize>) {
        let Some(p) = p else { return };
        let Some(r) = self.entries[p].right else { return };
        self.entries[p].right = self.entries[r].left;
        if let Some(rl) = self.entries[r].left {
            self.entries[rl].parent = Some(p);
        }
        self.entries[r].parent = self.entries[p].parent;
        match self.entries[p].parent {
            None => self.root = Some(r),
            Some(pp) if self.entries[pp].left == Some(p) => self.entries[pp].left = Some(r),
            Some(pp) => self.entries[pp].right = Some(r),
        }
        self.entries[r].left = Some(p);
        self.entries[p].parent = Some(r);
    }

    fn rotate_right(&mut self, p: Option<usize>) {
        let Some(p) = p else { return };
        let Some(l) = self.entries[p].left else { return };
        self.entries[p].left = self.entries[l].right;
        if let Some(lr) = self.entries[l].right {
            self.entries[lr].parent = Some(p);
        }
        self.entries[l].parent = self.entries[p].parent;
        match self.entries[p].parent {
            None => self.root = Some(l),
            Some(pp) if self.entries[pp].right == Some(p) => self.entries[pp].right = Some(l),
            Some(pp) => self.entries[pp].left = Some(l),
        }
        self.entries[l].right = Some(p);
        self.entries[p].parent = Some(l);
    }

    fn fix_after_insertion(&mut self, e: usize) {
        let mut x = Some(e);
        self.entries[e].color = Color::Red;
        while x.is_some() && x != self.root && self.color_of(self.parent_of(x)) == Color::Red {
            let grandparent = self.parent_of(self.parent_of(x));
            if self.parent_of(x) == self.left_of(grandparent) {
                let y = self.right_of(grandparent);
                if self.color_of(y) == Color::Red {
                    self.set_color(self.parent_of(x), Color::Black);
                    self.set_color(y, Color::Black);
                    self.set_color(grandparent, Color::Red);
                    x = grandparent;
                } else {
                    if x == self.right_of(self.parent_of(x)) {
                        x = self.parent_of(x);
                        self.rotate_left(x);
                    }
                    self.set_color(self.parent_of(x), Color::Black);
                    let grandparent = self.parent_of(self.parent_of(x));
                    self.set_color(grandparent, Color::Red);
                    self.rotate_right(grandparent);
                }
            } else {
                let y = self.left_of(grandparent);
                if self.color_of(y) == Color::Red {
                    self.set_color(self.parent_of(x), Color::Black);
                    self.set_color(y, Color::Black);
                    self.set_color(grandparent, Color::Red);
                    x = grandparent;
                } else {
                    if x == self.left_of(self.parent_of(x)) {
                        x = self.parent_of(x);
                        self.rotate_right(x);
                    }
                    self.set_color(self.parent_of(x), Color::Black);
                    let grandparent = self.parent_of(self.parent_of(x));
                    self.set_color(grandparent, Color::Red);
                    self.rotate_left(grandparent);
                }
            }
        }
        let root = self.root;
        self.set_color(root, Color::Black);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_fixed_keys_it_is_a_sorted_set() {
        let keys = [5, 3, 9, 1, 4, 8, 2, 7, 6, 0, 3];
        let mut set = JavaTreeSet::default();
        for k in keys {
            set.insert(k, |a, b| a.cmp(&b));
        }
        assert_eq!(set.items(), (0..10).collect::<Vec<_>>(), "sorted, duplicate dropped");
    }

    #[test]
    fn an_element_whose_key_changed_stays_where_it_was_put() {
        // Keys by item, changed between insertions as Kafka's sizes are.
        let mut key = [10, 20, 30];
        let mut set = JavaTreeSet::default();
        set.insert(0, |a, b| key[a].cmp(&key[b]));
        set.insert(1, |a, b| key[a].cmp(&key[b]));
        key[0] = 25; // would now sort after item 1, but stays first
        set.insert(2, |a, b| key[a].cmp(&key[b]));
        assert_eq!(set.items(), [0, 1, 2]);
    }

    #[test]
    fn rebalancing_changes_which_elements_an_insertion_meets() {
        // After 0, 1, 2 (ascending) the tree rotates: 1 is the root, so a
        // new item compares with 1 first, then with 2.
        let mut key = [1, 2, 3, 0];
        let mut set = JavaTreeSet::default();
        for item in 0..3 {
            set.insert(item, |a, b| key[a].cmp(&key[b]));
        }
        // Item 0's key moves past 2's; item 3 (key 4) meets root 1, then 2,
        // and lands after 2, never compared with 0: [0, 1, 2, 3].
        key[0] = 9;
        key[3] = 4;
        set.insert(3, |a, b| key[a].cmp(&key[b]));
        assert_eq!(set.items(), [0, 1, 2, 3]);
    }
}
