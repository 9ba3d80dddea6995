//! Sets of a department's members as bitsets, and candidate sets computed
//! from them word by word without being stored (used by §8 assignment).

/// A fixed-size set of positions `0..len`.
#[derive(Debug, Clone)]
pub(crate) struct Bitset {
    words: Vec<u64>,
}

impl Bitset {
    pub(crate) fn new(len: usize) -> Self {
        Self { words: vec![0; len.div_ceil(64)] }
    }

    pub(crate) fn set(&mut self, position: usize) {
        self.words[position / 64] |= 1 << (position % 64);
    }

    pub(crate) fn clear(&mut self, position: usize) {
        self.words[position / 64] &= !(1 << (position % 64));
    }

    pub(crate) fn count(&self) -> u32 {
        self.words.iter().map(|word| word.count_ones()).sum()
    }
}

/// The members of `base` that are in neither `minus` set and are not one of
/// the `holes` (a few positions, bytewise sorted: the recused inspectors).
#[derive(Clone, Copy)]
pub(crate) struct Masked<'a> {
    pub base: &'a Bitset,
    pub minus: [&'a Bitset; 2],
    pub holes: &'a [usize],
}

impl Masked<'_> {
    fn word(&self, index: usize) -> u64 {
        self.base.words[index] & !self.minus[0].words[index] & !self.minus[1].words[index]
    }

    fn contains(&self, position: usize) -> bool {
        self.word(position / 64) & (1 << (position % 64)) != 0
    }

    pub(crate) fn count(&self) -> u32 {
        let [a, b] = self.minus;
        let words = self.base.words.iter().zip(&a.words).zip(&b.words);
        let all: u32 = words.map(|((base, a), b)| (base & !a & !b).count_ones()).sum();
        all - self.holes.iter().filter(|&&hole| self.contains(hole)).count() as u32
    }

    /// Writes the set into `out`, which can then answer many selections.
    pub(crate) fn fill(&self, out: &mut Candidates) {
        out.words.clear();
        out.block_counts.clear();
        let [a, b] = self.minus;
        out.words
            .extend(self.base.words.iter().zip(&a.words).zip(&b.words).map(|((base, a), b)| base & !a & !b));
        for &hole in self.holes {
            out.words[hole / 64] &= !(1 << (hole % 64));
        }
        out.block_counts.extend(
            out.words
                .chunks(Candidates::BLOCK)
                .map(|block| block.iter().map(|w| w.count_ones()).sum::<u32>()),
        );
        out.total = out.block_counts.iter().sum();
    }
}

/// A candidate set written out, with the number of members in every block
/// of words, so that finding the member of a given rank skips whole blocks.
#[derive(Debug, Default)]
pub(crate) struct Candidates {
    words: Vec<u64>,
    block_counts: Vec<u32>,
    total: u32,
}

impl Candidates {
    const BLOCK: usize = 8;

    pub(crate) fn count(&self) -> u32 {
        self.total
    }

    /// The member with this rank (0 = lowest position).
    pub(crate) fn select(&self, rank: u32) -> usize {
        assert!(rank < self.total, "rank beyond the set's size");
        let mut rank = rank;
        let mut block = 0;
        while rank >= self.block_counts[block] {
            rank -= self.block_counts[block];
            block += 1;
        }
        for (offset, &word) in self.words[block * Self::BLOCK..].iter().enumerate() {
            let ones = word.count_ones();
            if rank < ones {
                let mut word = word;
                for _ in 0..rank {
                    word &= word - 1;
                }
                return (block * Self::BLOCK + offset) * 64 + word.trailing_zeros() as usize;
            }
            rank -= ones;
        }
        unreachable!("block counts match the words")
    }

    /// Every member, in increasing position.
    pub(crate) fn members(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(index, &word)| {
            let mut word = word;
            std::iter::from_fn(move || {
                (word != 0).then(|| {
                    let position = index * 64 + word.trailing_zeros() as usize;
                    word &= word - 1;
                    position
                })
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(len: usize, members: &[usize]) -> Bitset {
        let mut set = Bitset::new(len);
        for &member in members {
            set.set(member);
        }
        set
    }

    #[test]
    fn masked_sets_count_select_and_list_the_same_members() {
        let members = [0, 3, 64, 65, 100, 127, 128, 199, 600, 1000, 1023];
        let base = set(1024, &members);
        let region = set(1024, &[3, 128]);
        let unit = set(1024, &[199]);
        let holes = [64, 150, 1000];
        let masked = Masked { base: &base, minus: [&region, &unit], holes: &holes };
        let expected = vec![0, 65, 100, 127, 600, 1023];
        let mut candidates = Candidates::default();
        masked.fill(&mut candidates);
        assert_eq!(candidates.members().collect::<Vec<_>>(), expected);
        assert_eq!(masked.count(), 6);
        assert_eq!(candidates.count(), 6);
        let selected: Vec<usize> = (0..6).map(|rank| candidates.select(rank)).collect();
        assert_eq!(selected, expected);
    }
}
