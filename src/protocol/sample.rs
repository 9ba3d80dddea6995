//! k of n by partial Fisher–Yates (PROTOCOL.md §7).
//!
//! `for i in 0..k { j = i + uniform(n − i); swap(a[i], a[j]) }`, and the
//! result is `a[0..k]` in that order. Three forms of the same algorithm: one
//! shuffles a list in place, the others return the chosen ranks when the list
//! is too large to copy: for small `k` (inspector candidates), and for any
//! `k` in memory that grows with `k` only (targets of a large stratum).

use std::collections::HashMap;

use super::stream::DrawStream;

/// Moves a uniformly chosen `k` of `items` to its front, in draw order.
pub fn fisher_yates_prefix<T>(items: &mut [T], k: usize, stream: &mut DrawStream) {
    let n = items.len();
    assert!(k <= n && n <= u32::MAX as usize, "k of n needs k <= n < 2^32");
    for i in 0..k {
        let j = i + stream.uniform_below((n - i) as u32) as usize;
        items.swap(i, j);
    }
}

/// The positions (ranks `0..n`) that [`fisher_yates_prefix`] would move to the
/// front of a list of length `n`, without the list. Cost grows with k², so it
/// is meant for small k.
pub fn fisher_yates_ranks(n: u32, k: u32, stream: &mut DrawStream) -> Vec<u32> {
    assert!(k <= n, "k of n needs k <= n");
    // The virtual list holds `rank` at position `rank` except where a swap
    // wrote another value; those writes are kept in `moved`.
    let mut moved: Vec<(u32, u32)> = Vec::new();
    let value_at = |moved: &[(u32, u32)], position: u32| {
        moved.iter().rev().find(|(p, _)| *p == position).map_or(position, |(_, v)| *v)
    };
    let mut chosen = Vec::with_capacity(k as usize);
    for i in 0..k {
        let j = i + stream.uniform_below(n - i);
        let at_i = value_at(&moved, i);
        let at_j = value_at(&moved, j);
        moved.push((j, at_i));
        moved.push((i, at_j));
        chosen.push(at_j);
    }
    chosen
}

/// The same ranks as [`fisher_yates_ranks`], in time and memory that grow
/// with `k`, not `k²` nor `n`.
pub fn fisher_yates_ranks_sparse(n: u32, k: u32, stream: &mut DrawStream) -> Vec<u32> {
    assert!(k <= n, "k of n needs k <= n");
    // The virtual list holds `rank` at position `rank` except where a swap
    // wrote another value. Step `i` reads positions `i` and `j >= i` only,
    // so position `i` is never read again once step `i` is done: forgetting
    // it keeps at most `k` positions.
    let mut moved: HashMap<u32, u32> = HashMap::with_capacity(k as usize);
    let mut chosen = Vec::with_capacity(k as usize);
    for i in 0..k {
        let j = i + stream.uniform_below(n - i);
        let at_i = moved.remove(&i).unwrap_or(i);
        let at_j = if j == i { at_i } else { moved.insert(j, at_i).unwrap_or(j) };
        chosen.push(at_j);
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms_choose_the_same_ranks() {
        for n in [1u32, 2, 3, 7, 50, 1000] {
            for k in [0, 1, 2, n / 2, n].into_iter().filter(|&k| k <= n) {
                let mut list: Vec<u32> = (0..n).collect();
                fisher_yates_prefix(&mut list, k as usize, &mut DrawStream::new([n as u8; 32]));
                let ranks = fisher_yates_ranks(n, k, &mut DrawStream::new([n as u8; 32]));
                assert_eq!(&list[..k as usize], &ranks[..], "n={n} k={k}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn the_sparse_form_chooses_what_the_list_form_moves_to_the_front(
            n in 1u32..3000,
            k_share in 0.0f64..=1.0,
            seed in proptest::prelude::any::<[u8; 32]>(),
        ) {
            let k = ((f64::from(n) * k_share) as u32).min(n);
            let mut list: Vec<u32> = (0..n).collect();
            let mut list_stream = DrawStream::new(seed);
            fisher_yates_prefix(&mut list, k as usize, &mut list_stream);
            let mut sparse_stream = DrawStream::new(seed);
            let ranks = fisher_yates_ranks_sparse(n, k, &mut sparse_stream);
            proptest::prop_assert_eq!(&list[..k as usize], &ranks[..]);
            proptest::prop_assert_eq!(list_stream.words_read(), sparse_stream.words_read());
        }
    }

    #[test]
    fn choosing_all_of_a_list_still_reads_one_word_per_pick() {
        let mut stream = DrawStream::new([1; 32]);
        let mut list = [10, 20, 30];
        fisher_yates_prefix(&mut list, 3, &mut stream);
        assert_eq!(stream.words_read(), 3);
        let mut sorted = list;
        sorted.sort();
        assert_eq!(sorted, [10, 20, 30]);
    }
}
