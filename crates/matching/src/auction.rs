//! Prices from an ε-scaling auction (Bertsekas), used only to start the exact solver near the
//! optimum: with good mentor prices most mentees find their mentor at once and the exact
//! searches stay short. Nothing here decides the answer; a poor price only costs time.
//!
//! A mentor with capacity c sells c seats, each with its own price; a mentee bids for the
//! cheapest seat of the mentor worth most to it (score minus that seat's price), raising that
//! seat's price by its margin over its second choice plus ε, and evicting the seat's holder.
//! Each round divides ε by `SCALE` and rebids everyone at the current prices.

use crate::assignment::{Instance, Mentee};

const SCALE: f64 = 6.0;
const NOBODY: u32 = u32::MAX;
/// How far down the queue a bidder's row is loaded ahead: about the bids it takes to cover a
/// load from memory (1 and 3 measured alike on the sparse family; 3 leaves room on a slower
/// memory).
const AHEAD: usize = 3;

/// The auction's outcome: mentor prices and who sits where.
pub struct Outcome {
    /// One price per mentor: the cheapest seat's price when all its seats are sold, else 0 (a
    /// mentor with an unsold seat has nothing to charge for).
    pub prices: Vec<f64>,
    /// The mentor each mentee won a seat with, or `u32::MAX` (none, or staying unmatched).
    /// Within ε of a best choice, so only a hint for the exact solver.
    pub mentor_of: Vec<u32>,
}

/// Runs the auction; see [`Outcome`].
///
/// Complexity: O(rounds · bids · d) for d candidates per mentee; rounds are
/// log(range / ε_final) / log(SCALE), about six. Between rounds only the mentees whose seat no
/// longer suits them within the smaller ε bid again.
pub fn run(instance: &Instance, unmatched_value: f64) -> Outcome {
    let (n, m) = (instance.mentee_count(), instance.mentor_count());
    let (low, high) = (0..n as Mentee)
        .flat_map(|i| instance.candidates(i))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), (_, s)| {
            (lo.min(s), hi.max(s))
        });
    if !low.is_finite() {
        return Outcome {
            prices: vec![0.0; m],
            mentor_of: vec![NOBODY; n],
        };
    }
    // ε follows the spread of the scores present (a pricing subgraph's best pairs lie close
    // together, and the declared range's coarser ε left more to the searches: 15.0 ms
    // against 11.5 ms on 2,000² uniform scores). When they are all equal, the declared range instead: ε near 10⁻¹⁷ had tied
    // bidders outbid each other by that much, tens of millions of bids (docs/decisions/021).
    // With one score throughout, every assignment is as good as any other and any positive
    // scale settles who sits where.
    let declared = instance.score_range().map_or(0.0, |(low, high)| high - low);
    let range = [high - low, declared, 1.0]
        .into_iter()
        .find(|&r| r > 0.0)
        .expect("1 is positive");
    // A huge "unmatched" penalty would make prices huge too; for prices it is enough that
    // staying unmatched is worse than any pair.
    let alone = unmatched_value.max(low - range - 1.0);
    let mut seat_start = Vec::with_capacity(m + 1);
    seat_start.push(0usize);
    for mentor in 0..m as u32 {
        seat_start.push(seat_start[mentor as usize] + instance.capacity(mentor) as usize);
    }
    let mut seat_price = vec![0.0f64; seat_start[m]];
    let mentor_of_seat: Vec<u32> = (0..m as u32)
        .flat_map(|j| std::iter::repeat_n(j, instance.capacity(j) as usize))
        .collect();
    let mut seat_holder = vec![NOBODY; seat_start[m]];
    let mut cheapest = seat_start[..m].to_vec();
    let one_seat_each = (0..m as u32).all(|mentor| instance.capacity(mentor) == 1);
    // The cheapest seat's price per mentor, kept beside the seats for a fast bidding loop;
    // a mentor without seats is never affordable.
    let mut mentor_price: Vec<f64> = (0..m as u32)
        .map(|j| {
            if instance.capacity(j) == 0 {
                f64::INFINITY
            } else {
                0.0
            }
        })
        .collect();
    let mut epsilon = range / 4.0;
    // Tuned on the benchmark families: smaller ε costs auction rounds, larger ε leaves more
    // work to the exact searches. With one seat per mentor the searches' paths are long on a
    // sparse graph, and a tighter end paid (sparse: 0.85–0.90 s at 10⁻⁴, 0.65 at 3·10⁻⁵; dense:
    // no change); with several seats each, bids cost more and paths are short, and it did not
    // (capacity 4: 0.78–0.89 s at 10⁻⁴, 1.03–1.10 at 3·10⁻⁵; capacity 40 likewise; decision
    // 029).
    let final_epsilon = range * if one_seat_each { 3e-5 } else { 1e-4 };
    // The seat each mentee holds (NOBODY: none, or staying unmatched).
    let mut seat_of = vec![NOBODY; n];
    let mut queue: std::collections::VecDeque<Mentee> = (0..n as Mentee).collect();
    loop {
        while let Some(mentee) = queue.pop_front() {
            // Once evictions start, bidders come out of the queue in no order and each one's
            // row is a wait on memory: the row of the one `AHEAD` places on is loaded meanwhile.
            if let Some(&next) = queue.get(AHEAD) {
                instance.prefetch_row(next);
            }
            let (mut best, mut best_value, mut second_value) = (None, alone, f64::NEG_INFINITY);
            for (mentor, score) in instance.candidates(mentee) {
                let value = score - mentor_price[mentor as usize];
                if value > best_value {
                    second_value = best_value;
                    (best, best_value) = (Some(mentor), value);
                } else if value > second_value {
                    second_value = value;
                }
            }
            let Some(mentor) = best else { continue };
            // With one seat per mentor, seat j is mentor j: the bid reads nothing more about
            // the mentor than the price its scan just read (decision 028).
            let (seat, seats) = if one_seat_each {
                let seat = mentor as usize;
                (seat, seat..seat + 1)
            } else {
                let mentor = mentor as usize;
                (cheapest[mentor], seat_start[mentor]..seat_start[mentor + 1])
            };
            // The cheapest seat's price is the mentor's.
            let price = mentor_price[mentor as usize];
            // The same mentor's next-cheapest seat is an alternative too.
            let next_seat_price = seats
                .clone()
                .filter(|&k| k != seat)
                .map(|k| seat_price[k])
                .min_by(f64::total_cmp);
            let next_seat_value =
                next_seat_price.map_or(f64::NEG_INFINITY, |next| best_value + price - next);
            let second_value = second_value.max(next_seat_value).max(alone);
            seat_price[seat] = price + best_value - second_value + epsilon;
            let evicted = std::mem::replace(&mut seat_holder[seat], mentee);
            seat_of[mentee as usize] = seat as u32;
            if evicted != NOBODY {
                seat_of[evicted as usize] = NOBODY;
                queue.push_back(evicted);
            }
            let now_cheapest = seats
                .min_by(|&a, &b| seat_price[a].total_cmp(&seat_price[b]))
                .expect("a seat");
            if !one_seat_each {
                cheapest[mentor as usize] = now_cheapest;
            }
            mentor_price[mentor as usize] = seat_price[now_cheapest];
        }
        if epsilon <= final_epsilon {
            break;
        }
        epsilon = (epsilon / SCALE).max(final_epsilon);
        // Keep the assignment, but send back to bidding everyone it no longer suits within
        // the smaller ε (rebidding everyone each round would repeat most of the work).
        for mentee in 0..n as Mentee {
            let best = instance
                .candidates(mentee)
                .map(|(mentor, score)| score - mentor_price[mentor as usize])
                .fold(alone, f64::max);
            let seat = seat_of[mentee as usize];
            let own = if seat == NOBODY {
                alone
            } else {
                let mentor = mentor_of_seat[seat as usize];
                instance.score(mentor, mentee).unwrap_or(f64::NEG_INFINITY)
                    - seat_price[seat as usize]
            };
            if own < best - epsilon {
                if seat != NOBODY {
                    seat_holder[seat as usize] = NOBODY;
                    seat_of[mentee as usize] = NOBODY;
                }
                queue.push_back(mentee);
            }
        }
    }
    let prices = (0..m)
        .map(|mentor| {
            let seats = seat_start[mentor]..seat_start[mentor + 1];
            let sold_out =
                !seats.is_empty() && seats.clone().all(|seat| seat_holder[seat] != NOBODY);
            if sold_out {
                seat_price[cheapest[mentor]]
            } else {
                0.0
            }
        })
        .collect();
    let mentor_of = seat_of
        .iter()
        .map(|&seat| {
            if seat == NOBODY {
                NOBODY
            } else {
                mentor_of_seat[seat as usize]
            }
        })
        .collect();
    Outcome { prices, mentor_of }
}
