//! A small seeded pseudo-random generator (xoshiro256**, seeded through
//! SplitMix64), normal deviates by Box–Muller, and the Cholesky factor of a
//! correlation matrix: everything a seeded Monte Carlo needs, reproducible
//! across machines (no platform-dependent randomness, no dependency).

/// xoshiro256** (Blackman and Vigna), seeded through SplitMix64.
#[derive(Clone, Debug)]
pub struct Rng {
	state: [u64; 4],
	/// The second deviate of the last Box–Muller pair, not yet returned.
	spare: Option<f64>,
}

fn splitmix64(x: &mut u64) -> u64 {
	*x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
	let mut z = *x;
	z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
	z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
	z ^ (z >> 31)
}

impl Rng {
	/// The generator of `seed`; equal seeds give equal streams.
	pub fn new(seed: u64) -> Self {
		let mut x = seed;
		let state =
			[splitmix64(&mut x), splitmix64(&mut x), splitmix64(&mut x), splitmix64(&mut x)];
		Self { state, spare: None }
	}

	/// The next 64 random bits.
	pub fn next_u64(&mut self) -> u64 {
		let s = &mut self.state;
		let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
		let t = s[1] << 17;
		s[2] ^= s[0];
		s[3] ^= s[1];
		s[1] ^= s[2];
		s[0] ^= s[3];
		s[2] ^= t;
		s[3] = s[3].rotate_left(45);
		result
	}

	/// Uniform in `[0, 1)`, with 53 bits of precision.
	pub fn uniform(&mut self) -> f64 {
		(self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
	}

	/// Uniform in `[low, high)`.
	pub fn range(&mut self, low: f64, high: f64) -> f64 {
		low + (high - low) * self.uniform()
	}

	/// A standard normal deviate (Box–Muller; the pair's second deviate is
	/// kept for the next call).
	pub fn normal(&mut self) -> f64 {
		if let Some(z) = self.spare.take() {
			return z;
		}
		// `1 - u` is in (0, 1]: the logarithm is finite.
		let u1 = 1.0 - self.uniform();
		let u2 = self.uniform();
		let radius = (-2.0 * u1.ln()).sqrt();
		let angle = 2.0 * std::f64::consts::PI * u2;
		self.spare = Some(radius * angle.sin());
		radius * angle.cos()
	}

	/// `true` with probability `p`.
	pub fn chance(&mut self, p: f64) -> bool {
		self.uniform() < p
	}

	/// A Poisson deviate of mean `lambda` (Knuth's method; small means only).
	pub fn poisson(&mut self, lambda: f64) -> u32 {
		let limit = (-lambda).exp();
		let mut k = 0;
		let mut p = self.uniform();
		while p > limit && k < 1_000 {
			k += 1;
			p *= self.uniform();
		}
		k
	}
}

/// The lower-triangular Cholesky factor `L` of the symmetric matrix `a`
/// (`a = L Lᵀ`), or `None` if `a` is not positive definite.
pub fn cholesky(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
	let n = a.len();
	let mut l = vec![vec![0.0; n]; n];
	for i in 0..n {
		if a[i].len() != n {
			return None;
		}
		for j in 0..=i {
			let sum: f64 = (0..j).map(|k| l[i][k] * l[j][k]).sum();
			if i == j {
				let d = a[i][i] - sum;
				if d <= 0.0 || !d.is_finite() {
					return None;
				}
				l[i][j] = d.sqrt();
			} else {
				l[i][j] = (a[i][j] - sum) / l[j][j];
			}
		}
	}
	Some(l)
}

/// `L z`: independent standard normals `z` made correlated by `L`.
pub fn correlate(l: &[Vec<f64>], z: &[f64]) -> Vec<f64> {
	l.iter().map(|row| row.iter().zip(z).map(|(a, b)| a * b).sum()).collect()
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn equal_seeds_give_equal_streams_and_different_seeds_differ() {
		let a: Vec<u64> = {
			let mut r = Rng::new(7);
			(0..100).map(|_| r.next_u64()).collect()
		};
		let b: Vec<u64> = {
			let mut r = Rng::new(7);
			(0..100).map(|_| r.next_u64()).collect()
		};
		let c: Vec<u64> = {
			let mut r = Rng::new(8);
			(0..100).map(|_| r.next_u64()).collect()
		};
		assert_eq!(a, b);
		assert_ne!(a, c);
	}

	#[test]
	fn normals_have_mean_zero_and_variance_one() {
		let mut r = Rng::new(42);
		let n = 200_000;
		let xs: Vec<f64> = (0..n).map(|_| r.normal()).collect();
		let mean = xs.iter().sum::<f64>() / n as f64;
		let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
		assert!(mean.abs() < 0.01, "mean {mean}");
		assert!((var - 1.0).abs() < 0.02, "variance {var}");
	}

	#[test]
	fn uniforms_stay_in_the_unit_interval() {
		let mut r = Rng::new(1);
		for _ in 0..10_000 {
			let u = r.uniform();
			assert!((0.0..1.0).contains(&u));
		}
	}

	#[test]
	fn cholesky_reproduces_the_matrix_and_correlates_normals() {
		let a = vec![vec![1.0, 0.8, 0.5], vec![0.8, 1.0, 0.3], vec![0.5, 0.3, 1.0]];
		let l = cholesky(&a).expect("positive definite");
		for i in 0..3 {
			for j in 0..3 {
				let v: f64 = (0..3).map(|k| l[i][k] * l[j][k]).sum();
				assert!((v - a[i][j]).abs() < 1e-12);
			}
		}
		let mut r = Rng::new(3);
		let n = 100_000;
		let mut s01 = 0.0;
		for _ in 0..n {
			let z = [r.normal(), r.normal(), r.normal()];
			let x = correlate(&l, &z);
			s01 += x[0] * x[1];
		}
		let rho = s01 / n as f64;
		assert!((rho - 0.8).abs() < 0.02, "sample correlation {rho}");
		assert!(cholesky(&[vec![1.0, 2.0], vec![2.0, 1.0]]).is_none());
	}
}
