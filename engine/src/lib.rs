//! The compiled engine of cidrkit: the hot paths that touch text or every
//! element. The Python package stays the reference; every function here
//! gives the same verdicts and the same bytes as its Python counterpart.

pub mod addr;
pub mod addrset;
pub mod arrowtext;
pub mod csvline;
pub mod grep;
pub mod lines;
pub mod lookup;
pub mod lpm;
pub mod output;
pub mod overlaps;
pub mod plainlist;
pub mod prefixcell;
pub mod prefixtext;
pub mod radix;
pub mod scan;
pub mod setalgebra;
pub mod tablefile;
pub mod tabletext;

#[cfg(feature = "python")]
mod python;
