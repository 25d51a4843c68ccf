//! Check digits of the identifiers the generator writes, implemented from the issuers' published
//! rules and independent of the library, so a valid synthetic value really is valid.

use super::super::rng::Rng;

/// `digits` (ASCII) as numbers.
fn nums(digits: &str) -> Vec<u32> {
    digits.chars().filter_map(|c| c.to_digit(10)).collect()
}

/// ISO 13616: the two check digits of `country` + `bban` (mod 97 of the rearranged number).
pub fn iban_check(country: &str, bban: &str) -> u32 {
    98 - iban_mod97(&format!("{bban}{country}00"))
}

/// Whether `iban` (no spaces, upper case) passes mod 97.
pub fn iban_valid(iban: &str) -> bool {
    iban.len() > 4 && iban_mod97(&format!("{}{}", &iban[4..], &iban[..4])) == 1
}

fn iban_mod97(rearranged: &str) -> u32 {
    rearranged.chars().fold(0u32, |acc, c| {
        let v = c.to_digit(36).expect("alphanumeric");
        if v < 10 {
            (acc * 10 + v) % 97
        } else {
            (acc * 100 + v) % 97
        }
    })
}

/// NHS number: weights 10..2 on nine digits, `11 - sum mod 11`; `None` when that is 10 (unusable).
pub fn nhs_check(nine: &str) -> Option<u32> {
    let sum: u32 = nums(nine)
        .iter()
        .zip((2..=10).rev())
        .map(|(d, w)| d * w)
        .sum();
    match 11 - sum % 11 {
        11 => Some(0),
        10 => None,
        c => Some(c),
    }
}

const DNI_LETTERS: &[u8; 23] = b"TRWAGMYFPDXBNJZSQVHLCKE";

/// Spanish DNI letter of an eight-digit number; NIE: X/Y/Z stand for 0/1/2.
pub fn dni_letter(number: &str) -> char {
    let n: u64 = number
        .replace('X', "0")
        .replace('Y', "1")
        .replace('Z', "2")
        .parse()
        .expect("digits");
    char::from(DNI_LETTERS[(n % 23) as usize])
}

/// Italian codice fiscale: the check character of the first fifteen characters.
pub fn cf_check(first15: &str) -> char {
    const ODD: [u32; 26] = [
        1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24,
        23,
    ];
    let sum: u32 = first15
        .chars()
        .enumerate()
        .map(|(i, c)| {
            // Digits count as the letter of the same index (0 = A).
            let v = c.to_digit(10).unwrap_or_else(|| c as u32 - 'A' as u32);
            if i % 2 == 0 { ODD[v as usize] } else { v }
        })
        .sum();
    char::from(b'A' + (sum % 26) as u8)
}

/// French NIR: the key of the thirteen-digit number, `97 - n mod 97`.
pub fn nir_key(thirteen: &str) -> u64 {
    97 - thirteen.parse::<u64>().expect("digits") % 97
}

/// Dutch BSN 11-proef: weights 9..2 and −1.
pub fn bsn_valid(nine: &str) -> bool {
    let d = nums(nine);
    let sum: i64 = d[..8]
        .iter()
        .zip((2..=9).rev())
        .map(|(&x, w)| i64::from(x) * w)
        .sum::<i64>()
        - i64::from(d[8]);
    d.len() == 9 && sum % 11 == 0
}

/// German Steuer-ID: ISO 7064 MOD 11,10 over the first ten digits.
pub fn steuer_check(ten: &str) -> u32 {
    let mut product = 10;
    for d in nums(ten) {
        let mut sum = (d + product) % 10;
        if sum == 0 {
            sum = 10;
        }
        product = (sum * 2) % 11;
    }
    match 11 - product {
        10 => 0,
        c => c,
    }
}

/// Portuguese NIF: weights 9..2, `11 - sum mod 11`, 0 when that is 10 or 11.
pub fn nif_check(eight: &str) -> u32 {
    let sum: u32 = nums(eight)
        .iter()
        .zip((2..=9).rev())
        .map(|(d, w)| d * w)
        .sum();
    match sum % 11 {
        0 | 1 => 0,
        r => 11 - r,
    }
}

/// Appends the Luhn check digit.
pub fn luhn_complete(body: &str) -> String {
    let sum: u32 = nums(body)
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| match (i % 2 == 0, d * 2) {
            (true, x) if x > 9 => x - 9,
            (true, x) => x,
            (false, _) => d,
        })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

// ---------------------------------------------------------------------------------------------
// Valid values

/// A valid IBAN (no spaces) of `country`: the BBAN layouts of the national registries.
pub fn iban(rng: &mut Rng, country: &str) -> String {
    const UP: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let bban = match country {
        "DE" => rng.digits(18),
        "ES" => rng.digits(20),
        "FR" => format!("{}{}{}", rng.digits(10), rng.digits(11), rng.digits(2)),
        "IT" => format!(
            "{}{}{}",
            rng.chars(UP, 1),
            rng.digits(10),
            rng.chars(ALNUM, 12)
        ),
        "PT" => rng.digits(21),
        "NL" => format!("{}{}", rng.chars(UP, 4), rng.digits(10)),
        "GB" => format!("{}{}", rng.chars(UP, 4), rng.digits(14)),
        "PL" => rng.digits(24),
        "BE" => rng.digits(12),
        "CH" => rng.digits(17),
        other => panic!("no layout for {other}"),
    };
    let full = format!("{country}{:02}{bban}", iban_check(country, &bban));
    assert!(iban_valid(&full), "generator bug: IBAN check digits");
    full
}

/// A US SSN in an issued area (001–899 except 666), group 01–99, serial 0001–9999, as 9 digits.
pub fn ssn(rng: &mut Rng) -> String {
    let area = loop {
        let a = rng.range(1, 899);
        if a != 666 {
            break a;
        }
    };
    format!("{area:03}{:02}{:04}", rng.range(1, 99), rng.range(1, 9999))
}

/// A UK National Insurance number prefix that HMRC issues.
pub fn ni_prefix(rng: &mut Rng) -> String {
    loop {
        let p = format!(
            "{}{}",
            rng.chars("ABCEGHJKLMNOPRSTWXYZ", 1),
            rng.chars("ABCEGHJKLMNPRSTWXYZ", 1)
        );
        if !["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"].contains(&p.as_str()) {
            break p;
        }
    }
}

pub fn nhs(rng: &mut Rng) -> String {
    loop {
        let nine = rng.digits(9);
        if let Some(c) = nhs_check(&nine) {
            break format!("{nine}{c}");
        }
    }
}

pub fn codice_fiscale(rng: &mut Rng) -> String {
    const CONS: &str = "BCDFGHLMNPRSTVZ";
    let day = rng.range(1, 31) + if rng.below(2) == 0 { 0 } else { 40 };
    let first15 = format!(
        "{}{}{}{}{day:02}{}{}",
        rng.chars(CONS, 3),
        rng.chars(CONS, 3),
        rng.digits(2),
        rng.chars("ABCDEHLMPRST", 1),
        rng.chars("ABCDEFGHILM", 1),
        rng.range(100, 999),
    );
    format!("{first15}{}", cf_check(&first15))
}

pub fn nir(rng: &mut Rng) -> String {
    let dept = loop {
        let d = rng.range(1, 95);
        if d != 20 {
            break d;
        }
    };
    let thirteen = format!(
        "{}{}{:02}{dept:02}{:03}{:03}",
        rng.range(1, 2),
        rng.digits(2),
        rng.range(1, 12),
        rng.range(1, 990),
        rng.range(1, 999)
    );
    format!("{thirteen}{:02}", nir_key(&thirteen))
}

pub fn bsn(rng: &mut Rng) -> String {
    loop {
        let eight = format!("{}{}", rng.range(1, 9), rng.digits(7));
        let d = nums(&eight);
        let sum: u32 = d.iter().zip((2..=9).rev()).map(|(x, w)| x * w).sum();
        if sum % 11 < 10 {
            let full = format!("{eight}{}", sum % 11);
            assert!(bsn_valid(&full), "generator bug: 11-proef");
            break full;
        }
    }
}

/// A Steuer-ID: ten digits with exactly one digit twice (and one missing), first not 0, + check.
pub fn steuer_id(rng: &mut Rng) -> String {
    loop {
        let mut pool: Vec<u32> = (0..10).collect();
        let missing = rng.below(10);
        pool.remove(missing);
        let twice = pool[rng.below(9)];
        pool.push(twice);
        for i in (1..pool.len()).rev() {
            pool.swap(i, rng.below(i + 1));
        }
        if pool[0] != 0 {
            let ten: String = pool
                .iter()
                .map(|d| char::from_digit(*d, 10).unwrap())
                .collect();
            break format!("{ten}{}", steuer_check(&ten));
        }
    }
}

/// A Portuguese NIF of a person (first digit 1–3) or a company (5).
pub fn nif(rng: &mut Rng) -> String {
    let eight = format!("{}{}", rng.pick(&[1, 2, 3, 5]), rng.digits(7));
    format!("{eight}{}", nif_check(&eight))
}

/// Guards the functions above with the issuers' published examples.
pub fn self_check() {
    assert!(iban_valid("DE89370400440532013000"));
    assert!(iban_valid("GB82WEST12345698765432"));
    assert!(!iban_valid("DE89370400440532013001"));
    assert_eq!(nhs_check("943476591"), Some(9));
    assert_eq!(dni_letter("12345678"), 'Z');
    assert_eq!(dni_letter("X1234567"), 'L');
    assert_eq!(cf_check("RSSMRA85T10A562"), 'S');
    assert_eq!(nir_key("1841276451089"), 46);
    assert!(bsn_valid("111222333"));
    assert!(!bsn_valid("111222334"));
    assert_eq!(steuer_check("8609574271"), 9);
    assert_eq!(nif_check("12345678"), 9);
    assert_eq!(luhn_complete("411111111111111"), "4111111111111111");
}
