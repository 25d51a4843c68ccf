//! The positives quoted in the issue, literally: each must be masked (the negatives are in
//! `issue_negatives`). Values are synthetic (published test numbers where a kind has them). In a
//! positive, `«…»` marks the value that must not survive; the markers are not part of the text.

use super::judge::{Doc, Kind, Secret};

const POSITIVES: &[(&str, Kind, &[&str])] = &[
    (
        "phone_national",
        Kind::Phone,
        &[
            "«(030) 9487512»",
            "«(020) 7946 6121»",
            "«612 399 327»",
            "«+34 612 39 93 27»",
            "«98920 44904»",
            "«+91 98920 44904»",
            "«0049 30 1234567»",
            "«0044 20 7946 0958»",
            "«01.12.72.35.42»",
            "«06 12 34 56 78»",
            "«347 123 4567»",
            "«02 1234 5678»",
            "«912 345 678»",
            "«0151 23456789»",
            "«030/1234567»",
            "«415-555-9461»x22",
            "«(415) 555-9461» ext. 22",
            "«+1 (415) 555-9461»",
        ],
    ),
    (
        "phone_words",
        Kind::Phone,
        &[
            "call me on «07700900123»",
            "whatsapp «491512345678»",
            "llámame al «612399327»",
            "Rückruf «9487512»",
            "erreichbar unter «015123456789»",
            "rappelez-moi au «0612345678»",
            "ligue para «912345678»",
            "telemóvel «962345678»",
            "chiamami al «3471234567»",
        ],
    ),
    (
        "date_of_birth",
        Kind::Date,
        &[
            "D.O.B. «29/02/1984»",
            "DOB: «April 3, 1989»",
            "born «6 August 1986»",
            "born on «1986-08-06»",
            "date of birth «2004/12/19»",
            "birthday «12/19/2004»",
            "fecha de nacimiento: «19/12/2004»",
            "nací el «3 de abril de 1989»",
            "Geburtsdatum «19.12.2004»",
            "geb. «19.12.2004»",
            "geboren am «3. April 1989»",
            "né le «19/12/2004»",
            "née le «3 avril 1989»",
            "date de naissance «03/04/1989»",
            "data de nascimento «19/12/2004»",
            "nascido em «3 de março de 1989»",
            "data di nascita «19/12/2004»",
            "nato il «3 aprile 1989»",
        ],
    ),
    (
        "cvv_pin",
        Kind::Code,
        &[
            "the CVV was «123»",
            "cvv«143»",
            "CSC «8812»",
            "CVC-Code «456»",
            "Kartenprüfnummer «456»",
            "código de seguridad «789»",
            "cryptogramme «321»",
            "codice di sicurezza «654»",
            "código de segurança «987»",
            "PIN «5165»",
            "Geheimzahl «5165»",
            "code PIN «5165»",
            r#"{"enteredPin":"«5165»"}"#,
            r#"{"cvvCode":"«123»"}"#,
        ],
    ),
    (
        "password",
        Kind::Text,
        &[
            "Passwort: «Xk9#mQ2v»",
            "contraseña: «Rv7$kP2m»",
            "mot de passe : «Lq4!zW8n»",
            "senha: «Tb6@hJ3s»",
            "password=«Hn5%cX9q»",
            "pw: «Mz3^fK7d»",
            "pass=«Wd2~gB6t»",
            "pwd=«Pc8*vN4k»",
            "my password was «Jy5!rT2w»",
            "la contraseña es «Fq9#sL3m»",
            "mein Passwort ist «Gk7$dZ5p»",
            "mon mot de passe est «Ns4@wH8b»",
            "a minha senha é «Kv6%yC2r»",
            "la mia password è «Bt3^mQ9x»",
            "password: «correct horse battery staple»",
            "password \"«blue sky 42»\"",
            "pass=«Tr0ub&dor3»",
            "?user=bob&password=«Zx8-kq3W»&next=/",
        ],
    ),
    (
        "secrets",
        Kind::Text,
        &[
            "aws_secret_access_key = «wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY»",
            "AWS_SECRET_ACCESS_KEY=«wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY»",
            "key «AKIAIOSFODNN7EXAMPLE»",
            "«sk_live_4eC39HqLyjWDarjtT1zdp7dc»",
            "«rk_live_U8JZpDE0iGXlD6gNCFbaEPFj»",
            "«whsec_bD0kH8Oool8DklZDOCj2ISaJiHkTj0rL»",
            "«xoxb-199351819093-7865797543231-kThf4VucSmEHgaKwVJ7faC9q»",
            "«https://hooks.slack.com/services/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»",
            "«ghp_jR4I0b3jRtaWr4Y9OJFLJOqOAf1lLQSAJaiX»",
            "«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»",
            "«glpat-mLhuVtcqcYezdZ-tDDj8»",
            "«AIzahYs5suKcNd8Zra9A9sKPxZ9W3qLy7zKUVQD»",
            "«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»",
            "«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»",
            "«SKf86702824c1c099724caf4941d407201»",
            "«npm_IoX9GY1cjDoBoirPfQAdzEv7g5iFqhEvveQz»",
            "«pypi-AgEIcHlwaS5vcmcJhead6-wJ9kFZJSqgmRB9H_iMb_lk777PZnK8Cl6J5ixaaJLShuQjOud-_yDUA_5zmS1sw»",
            "«https://discord.com/api/webhooks/151505561304451669/Ju2jGjNGkTfi3oYv2DzaKG05Rk_GQV81rkmghzem9yPVUJa-c5q52RYfLWrLoevhZC0x»",
            "«eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0ODIxMzM3NyIsIm5hbWUiOiJLcTd4UHoybSIsImlhdCI6MTczMjU0MDgwMH0.0awirH-juQbLifxz53nCQE28_AJy75fNcTTN6KFAQdE»",
        ],
    ),
    (
        "ssn",
        Kind::Number,
        &[
            "«123-45-6789»",
            "my SSN is «358.94.2161»",
            "SSN«529473793»",
            "my social is «529473793»",
            "seguro social «529-47-3793»",
            "social security number: «529 47 3793»",
            "SSN (the one on file, please check) «529473793»",
        ],
    ),
    (
        "iban",
        Kind::Iban,
        &[
            "«DE89 3704 0044 0532 0130 00»",
            "«DE89\u{a0}3704\u{a0}0044\u{a0}0532\u{a0}0130\u{a0}00»",
            "«GB82  WEST  1234  5698  7654  32»",
            "«ES91-2100-0418-4502-0005-1332»",
            "iban «nl91 abna 0417 1643 00»",
            "«PL 61 1090 1014 0000 0712 1981 2874»",
            "IBAN:«GB82WEST12345698765432»",
            "«FR14 2004 1010 0505 0001 3M02 606»",
            "«IT60 X054 2811 1010 0000 0123 456»",
            "«PT50 0002 0123 1234 5678 9015 4»",
            "«BE68 5390 0754 7034»",
            "«CH93 0076 2011 6238 5295 7»",
        ],
    ),
    (
        "email",
        Kind::Email,
        &[
            "«jane.doe@example.com»",
            "?email=«jane%40example.com»&x=1",
            "«user@example.xn--p1ai»",
            "«user@xn--bcher-kva.de»",
            "«jörg@bücher.de»",
            "«jane.doe+escalation@example.co.uk»",
            "«JANE.DOE@EXAMPLE.COM»",
        ],
    ),
    (
        "ip",
        Kind::Text,
        &[
            "ip: «203.0.113.42»",
            "IP=«198.51.100.7»",
            "from «2001:db8::8a2e:370:7334»",
            "[IPv6:«2001:db8::1»]",
            "http://[«2001:db8::1»]:8080/",
            "build server «10.2.3.4»",
            "release host «192.0.2.10»",
        ],
    ),
    (
        "person_name",
        Kind::Name,
        &[
            "my name is «John Smith»",
            "I'm «Jane O'Neill»",
            "this is «Maria García» speaking",
            "me llamo «José Luis Pérez»",
            "mi nombre es «Ana María López»",
            "ich heiße «Jürgen Müller»",
            "mein Name ist «Hans-Peter Schmidt»",
            "je m'appelle «Jean-Luc Dubois»",
            "mon nom est «Marie Lefèvre»",
            "o meu nome é «João Silva»",
            "chamo-me «Inês Costa»",
            "mi chiamo «Giuseppe Rossi»",
            "il mio nome è «Francesca Bianchi»",
            "Name: «John Smith»",
            "Nombre: «Lucía Fernández»",
            "Nom : «Élodie de la Fontaine»",
            "my name is «Jan van der Berg»",
            "o meu nome é «Tiago da Silva»",
        ],
    ),
    (
        "street_address",
        Kind::Street,
        &[
            "I live at «12 High Street», London SW1A 1AA",
            "my address is «221B Baker Street»",
            "vivo en «Calle Mayor 5», 28013 Madrid",
            "ich wohne in der «Hauptstraße 12», 10115 Berlin",
            "Adresse: «Lindenweg 3a»",
            "j'habite au «15 rue de la Paix», 75002 Paris",
            "moro na «Rua Augusta 100», 1100-053 Lisboa",
            "abito in «Via Roma 10», 00184 Roma",
        ],
    ),
    (
        "national_id",
        Kind::Number,
        &[
            "NI number «QQ123456C»",
            "my NI number is «AB 12 34 56 C»",
            "NHS number «943 476 5919»",
            "DNI «12345678Z»",
            "NIE «X1234567L»",
            "codice fiscale «RSSMRA85T10A562S»",
            "numéro de sécurité sociale «184127645108946»",
            "n° de sécu «1 84 12 76 451 089 46»",
            "BSN «111222333»",
            "Steuer-ID «86095742719»",
            "Steueridentifikationsnummer «86 095 742 719»",
            "NIF «123456789»",
            "contribuinte «123456789»",
        ],
    ),
    // Shapes an adversarial pass found after the issue's own: sign-offs, lower-case names,
    // titles and more introducing phrases; codes described rather than named; phones with a
    // country code in parentheses, dotted Iberian numbers and call verbs in more languages.
    (
        "person_name",
        Kind::Name,
        &[
            "Regards, «John Smith»",
            "Mit freundlichen Grüßen, «Maximilian Bauer»",
            "Cordialement,\n«Élodie Durand»",
            "Saludos, «Ana García»",
            "Cordiali saluti, «Marco Rossi»",
            "Atenciosamente, «João Silva»",
            "Cheers «Priya»",
            "my name is «priya patel»",
            "ich heiße «jürgen groß»",
            "mi chiamo «marco rossi» e ho un problema",
            "Name: «özlem yılmaz»",
            "Mr «Patel» called again",
            "Herr «Groß» hat angerufen",
            "bon, Madame «PICARD» a rappelé !!",
            "il signor «Rossi» ha chiamato",
            "Hallo, hier ist «Maximilian Bauer», danke",
            "moi c'est «François Lefèvre»",
            "je suis «Noémie Laurent»",
            "salve, parla «Francesca Di Stefano»",
        ],
    ),
    (
        "cvv_pin",
        Kind::Code,
        &[
            "the code on the back is «617»",
            "3 digits on the back: «499»",
            "los 3 dígitos de atrás son «408»",
            "les 3 chiffres au dos : «738»",
            "le 3 cifre sul retro sono «905»",
            "os 3 dígitos atrás são «447»",
            "cód. seguridad «771»",
            "crypto «123»",
        ],
    ),
    (
        "phone_national",
        Kind::Phone,
        &[
            "«(+49) 176 21825176» ab 18 Uhr",
            "«(+33) 6 01 40 02 05»",
            "if that fails try «(+44) 7700 392236»",
            "llámame al «667.16.51.47»",
            "olá, liga para o «966129043», obrigado",
            "richiamatemi al «099897 00567»",
            "u kunt mij bereiken op «0629153304».",
        ],
    ),
];

const PEM_BODY: &[&str] = &[
    "mQg3OMJmYxhcABm6jof8efD0nHCY/1Kgd2vd/Er1uyZAlIa/ZnYd7chlN/Xc+1HS",
    "yGbDS1GHXy5oOKVqYX7Enwvq4VNAKjKs1Pawtn3LG8Zv5Ypu8D0fzFwE7IHgYIru",
    "iqFhojmAIDdN87xg3/Q/XBmTepo6uKZyUf0IE9pU2NJhKaM1/5WdR16ePlljivgh",
    "Z4fXfeTkYpIygfdM7ENA==",
];

pub fn doc(text: &str) -> Doc {
    if text.starts_with('{') {
        Doc::Json(serde_json::from_str(text).expect("literal JSON"))
    } else {
        Doc::Text(text.to_string())
    }
}

/// Every positive: (class, document, the value that must not survive).
pub fn positives() -> Vec<(&'static str, Doc, Secret)> {
    let mut out = Vec::new();
    for &(class, kind, texts) in POSITIVES {
        for marked in texts {
            let (before, rest) = marked.split_once('«').expect("a marked value");
            let (value, after) = rest.split_once('»').expect("a closed marker");
            let text = format!("{before}{value}{after}");
            out.push((class, doc(&text), Secret::new(kind, value)));
        }
    }
    for (kind, nl) in [
        ("RSA ", "\n"),
        ("EC ", "\\n"),
        ("OPENSSH ", "\n"),
        ("", "\\n"),
    ] {
        let text = format!(
            "-----BEGIN {kind}PRIVATE KEY-----{nl}{}{nl}-----END {kind}PRIVATE KEY-----",
            PEM_BODY.join(nl)
        );
        let words = PEM_BODY.iter().map(|l| l.to_string()).collect();
        let secret = Secret::text(&text, words);
        out.push(("secrets", Doc::Text(format!("key: {text}")), secret));
    }
    out
}
