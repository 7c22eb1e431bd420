// Mails that vary the MIME structure: forwards, attachments, Outlook quotes, charsets,
// base64 bodies, HTML-only, autoreplies and spam. Fields in `gold.f` must occur in the body.
const kPng = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const kPdf = Buffer.from(`%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >> endobj
4 0 obj << /Length 58 >> stream
BT /F1 12 Tf 72 770 Td (Kaufbeleg Elektro Mayer 2023) Tj ET
endstream endobj
trailer << /Root 1 0 R >>
%%EOF
`, 'latin1');

export const kMailsMore = [
  {
    slug: 'fwd-sales-colleague', lang: 'en',
    from: 'Martin Kowalski <m.kowalski@nordlicht-shop.example>',
    subject: 'Fwd: Bulk order for our office kitchens',
    text: `Hi service team, this landed in the sales inbox but it's really a delivery issue - can you take it?
Martin

---------- Forwarded message ---------
From: Rachel Green <r.green@brightside-offices.example>
Date: Tue, 4 Mar 2025 at 16:40
Subject: Bulk order for our office kitchens
To: <sales@nordlicht-shop.example>

Hello,

we ordered six Aqua Boil 1.7 kettles and three Barista Pro 3 machines for our new offices (order NL-24022961). Only the kettles arrived; the coffee machines are missing and the tracking number JJD000390007812345 shows no movement since last Thursday.

Could you find out what happened? We open on Monday.

Best regards,
Rachel Green
Facilities Manager, Brightside Offices Ltd.`,
    gold: { cat: 'delivery_problem', prio: 'high', team: 'fulfillment', reply: 'delivery_incomplete_en',
      f: { order_id: 'NL-24022961', tracking_id: 'JJD000390007812345', product: 'Barista Pro 3', customer_name: 'Rachel Green' } },
  },
  {
    slug: 'weiterleitung-als-anhang', lang: 'de',
    from: 'Kerstin Albrecht <k.albrecht@nordlicht-shop.example>',
    subject: 'WG: Garantiefall Dunstabzugshaube',
    text: `Hallo Kollegen vom Service,

die Mail im Anhang kam bei uns im Marketing an. Kundin Elke Vogt, es geht um die Dunstabzugshaube Airline 60, Bestellung NL-23090412. Könnt ihr übernehmen?

Danke
Kerstin`,
    forward: {
      slug: 'weiterleitung-als-anhang-inner', lang: 'de',
      from: 'Elke Vogt <elke.vogt@example.de>', to: 'Nordlicht Marketing <marketing@nordlicht-shop.example>',
      date: 'Sat, 01 Mar 2025 18:22:41 +0100',
      subject: 'Haube brummt laut',
      text: `Guten Tag,

meine Dunstabzugshaube Airline 60 (Bestellung NL-23090412) brummt seit zwei Wochen sehr laut, auch auf der kleinsten Stufe. Das Gerät ist 18 Monate alt. Bitte um Reparatur auf Garantie.

Elke Vogt`,
    },
    gold: { cat: 'warranty_repair', prio: 'normal', team: 'technical_service', reply: 'warranty_claim_de',
      f: { customer_name: 'Elke Vogt', product: 'Dunstabzugshaube Airline 60', order_id: 'NL-23090412' } },
  },
  {
    slug: 'rechnung-anhang-falscher-betrag', lang: 'de',
    from: 'Thomas Keller <thomas.keller@example.de>',
    subject: 'Rechnung stimmt nicht',
    text: `Hallo,

auf der angehängten Rechnung RE-2403051 steht ein Betrag von 612,98 €, bestellt und bezahlt habe ich aber nur 579,00 € (mit Gutscheincode FRUEHLING). Der Rabatt wurde auf der Rechnung nicht berücksichtigt. Bitte korrigieren.

Gruß
Thomas Keller`,
    attachments: [{ name: 'Rechnung_RE-2403051.txt', type: 'text/plain; charset=utf-8', text: `Nordlicht Haushaltsgeräte GmbH
Rechnung RE-2403051
Bestellung NL-24022688
1 x Waschmaschine WM 8 Eco        579,00 EUR
1 x Anschlussset                  33,98 EUR
Summe                            612,98 EUR
` }],
    gold: { cat: 'invoice_billing', prio: 'normal', team: 'billing', reply: 'invoice_copy_de',
      f: { invoice_id: 'RE-2403051', amount: '579,00 €', customer_name: 'Thomas Keller' } },
  },
  {
    slug: 'photo-damage', lang: 'en',
    from: 'Daniel Wright <daniel.wright@example.com>',
    subject: 'Photo of damaged microwave',
    html: true,
    text: `Hi,

as requested on the phone, attached is a photo of the MW 25 Grill microwave that arrived with a cracked glass door. Order NL-24031125.

Daniel Wright`,
    attachments: [{ name: 'IMG_4471.png', type: 'image/png', bytes: kPng }],
    gold: { cat: 'delivery_problem', prio: 'normal', team: 'fulfillment', reply: 'delivery_damaged_en',
      f: { product: 'MW 25 Grill microwave', order_id: 'NL-24031125', customer_name: 'Daniel Wright' } },
  },
  {
    slug: 'kaufbeleg-pdf', lang: 'de',
    from: 'Horst Meyer <horst.meyer@example.de>',
    subject: 'Garantie Kühlschrank - Kaufbeleg anbei',
    text: `Sehr geehrte Damen und Herren,

der Kühlschrank Frostwerk KG 320 kühlt nicht mehr richtig, das Gefrierfach taut ständig ab. Gekauft habe ich ihn nicht bei Ihnen, sondern bei einem Händler (Elektro Mayer), aber Sie sind ja der Hersteller-Service. Den Kaufbeleg habe ich als PDF angehängt.

Mit freundlichen Grüßen
Horst Meyer`,
    attachments: [{ name: 'Kaufbeleg.pdf', type: 'application/pdf', bytes: kPdf }],
    gold: { cat: 'warranty_repair', prio: 'high', team: 'technical_service', reply: 'warranty_claim_de',
      f: { product: 'Kühlschrank Frostwerk KG 320', customer_name: 'Horst Meyer' } },
  },
  {
    slug: 'html-only-inline-image', lang: 'en',
    from: 'Olivia Bennett <olivia.bennett@example.com>',
    subject: 'Is this normal?',
    html: `<html><body>
<div>Hi, the display on my <b>CrispAir XL</b> shows this symbol (see picture) and it won&#39;t start:</div>
<div><img src="cid:symbol01@example.com" alt="symbol" width="120"></div>
<div>Is it broken or am I doing something wrong? It&#39;s 3 weeks old.</div>
<div>Olivia Bennett</div>
</body></html>
`,
    inlineImage: { name: 'symbol.png', bytes: kPng, cid: 'symbol01@example.com' },
    gold: { cat: 'product_question', prio: 'normal', team: 'technical_service', reply: 'product_info_en',
      f: { product: 'CrispAir XL', customer_name: 'Olivia Bennett' } },
  },
  {
    slug: 'base64-body', lang: 'de',
    from: 'Andreas Wolff <andreas.wolff@example.de>',
    subject: 'Lieferadresse ändern',
    encoding: 'base64', charset: 'utf-8',
    text: `Guten Tag,

ich bin ab Montag für zwei Wochen nicht zu Hause. Können Sie die Lieferung meiner Bestellung NL-24031650 bitte an meine Büroadresse schicken?

Andreas Wolff
c/o Wolff & Partner Steuerberatung
Königsallee 22
40212 Düsseldorf`,
    gold: { cat: 'order_status', prio: 'normal', team: 'fulfillment', reply: null,
      f: { order_id: 'NL-24031650', customer_name: 'Andreas Wolff' } },
  },
  {
    slug: 'outlook-1252', lang: 'de',
    from: 'Sabine Hofmann <s.hofmann@example.de>',
    subject: 'AW: Ihre Bestellung NL-24030305 wurde versandt',
    charset: 'windows-1252', encoding: 'quoted-printable', headerCharset: 'iso-8859-1',
    headers: { 'X-Mailer': 'Microsoft Outlook 16.0', 'Thread-Index': 'AdmQ2fKx1c2VbQ7xTq6Fv0X3nYh8Zg==' },
    text: `Hallo,

laut Sendungsverfolgung liegt mein Paket seit 5 Tagen im Paketzentrum. Die Sendungsnummer ist 00340434161094015322. Können Sie beim Versanddienstleister nachfragen? Es geht um die Heißluftfritteuse für 129,00 € – die war ein Geburtstagsgeschenk…

Mit freundlichen Grüßen
Sabine Hofmann

-----Ursprüngliche Nachricht-----
Von: Nordlicht Versand <versand@nordlicht-shop.example>
Gesendet: Mittwoch, 5. März 2025 11:03
An: Sabine Hofmann <s.hofmann@example.de>
Betreff: Ihre Bestellung NL-24030305 wurde versandt

Guten Tag Frau Hofmann,
Ihre Bestellung NL-24030305 ist unterwegs. Sendungsnummer: 00340434161094015322
Ihr Nordlicht-Team`,
    gold: { cat: 'delivery_problem', prio: 'normal', team: 'fulfillment', reply: 'delivery_delayed_de',
      f: { tracking_id: '00340434161094015322', amount: '129,00 €', order_id: 'NL-24030305', customer_name: 'Sabine Hofmann' } },
  },
  {
    slug: 'latin1-b-subject', lang: 'de',
    from: 'Günter Schäfer <guenter.schaefer@example.de>',
    subject: 'Bügeleisen tropft - Garantie?',
    subjectMode: 'B', charset: 'iso-8859-1', encoding: '8bit', headerCharset: 'iso-8859-1',
    text: `Guten Tag,

mein Dampfbügeleisen Dampfstar DS 30 tropft seit einer Woche aus der Sohle, auch wenn der Dampf ausgeschaltet ist. Gekauft am 2. Januar 2025, Bestellung NL-25010277. Fällt das unter die Garantie?

Mit freundlichem Gruß
Günter Schäfer`,
    gold: { cat: 'warranty_repair', prio: 'normal', team: 'technical_service', reply: 'warranty_claim_de',
      f: { product: 'Dampfstar DS 30', order_id: 'NL-25010277', customer_name: 'Günter Schäfer' } },
  },
  {
    slug: 'denglisch', lang: 'en',
    from: 'Lukas Hartmann <lukas.hartmann@example.de>',
    subject: 'Return of Kaffeevollautomat',
    text: `Hello,

sorry for my English. I want to make a Rücksendung of the Barista Pro 3, order NL-24030840. The machine is ok but too big for our kitchen, leider. How I get the Retourenschein (return label)?

Danke und Grüße / best regards
Lukas Hartmann`,
    gold: { cat: 'return_refund', prio: 'low', team: 'returns', reply: 'return_instructions_en',
      f: { product: 'Barista Pro 3', order_id: 'NL-24030840', customer_name: 'Lukas Hartmann' } },
  },
  {
    slug: 'english-speaker-german', lang: 'de',
    from: 'John Davies <john.davies@example.co.uk>',
    subject: 'Bestellung nicht angekommen',
    text: `Hallo,

Ich habe eine Waschmaschine bestellt, die Bestellnummer ist NL-24030194. Die Lieferung war für letzte Woche geplant aber nichts ist gekommen. Ich wohne in Berlin seit nur 3 Monate, entschuldigung für mein Deutsch. Können Sie mir helfen bitte?

Vielen Dank
John Davies`,
    gold: { cat: 'delivery_problem', prio: 'normal', team: 'fulfillment', reply: 'delivery_delayed_de',
      f: { order_id: 'NL-24030194', customer_name: 'John Davies' } },
  },
  {
    slug: 'outlook-original-message', lang: 'en',
    from: 'Susan Clark <susan.clark@example.com>',
    subject: 'RE: Your repair case RMA-418105',
    headers: { 'X-Mailer': 'Microsoft Outlook 16.0', 'In-Reply-To': '<rma418105.update@nordlicht-shop.example>' },
    html: true,
    text: `Hi,

Thank you, but the technician's visit slot on Thursday doesn't work for me. Could we do Friday morning instead? Any time before noon is fine.

Susan Clark

-----Original Message-----
From: Nordlicht Service <service@nordlicht-shop.example>
Sent: Monday, March 10, 2025 2:15 PM
To: Susan Clark <susan.clark@example.com>
Subject: Your repair case RMA-418105

Dear Ms Clark,
a technician will visit you on Thursday, 13 March, between 8am and 12pm to repair your GS-45 Silent dishwasher.
Kind regards, Nordlicht Service`,
    gold: { cat: 'warranty_repair', prio: 'normal', team: 'technical_service', reply: null,
      f: { case_id: 'RMA-418105', product: 'GS-45 Silent dishwasher', customer_name: 'Susan Clark' } },
  },
  {
    slug: 'verschachtelte-zitate', lang: 'de',
    from: 'Petra Lindner <petra.lindner@example.de>',
    subject: 'Re: Re: Re: Erstattung Rücksendung',
    text: `Hallo nochmal,

jetzt sind es schon vier Wochen. Ich möchte einfach nur mein Geld zurück!

Petra Lindner

Am 11.03.2025 um 09:30 schrieb Nordlicht Kundenservice:
> Guten Tag Frau Lindner,
> wir haben die Buchhaltung erneut gebeten, die Erstattung zu prüfen.
>
> Am 04.03.2025 um 19:02 schrieb Petra Lindner:
>> Die Erstattung für meine Rücksendung RMA-417852 (Mixwerk 1200, 119,99 €) ist immer noch nicht da.
>>
>> Am 25.02.2025 um 10:11 schrieb Nordlicht Kundenservice:
>>> Ihre Rücksendung ist eingegangen, die Erstattung erfolgt in 5 Werktagen.`,
    gold: { cat: 'return_refund', prio: 'high', team: 'billing', reply: 'refund_status_de',
      f: { case_id: 'RMA-417852', product: 'Mixwerk 1200', amount: '119,99 €', customer_name: 'Petra Lindner' } },
  },
  {
    slug: 'dritte-reparatur-anwalt', lang: 'de',
    from: 'Wolfgang Schulte <w.schulte@example.de>',
    subject: 'Zum dritten Mal defekt - jetzt reicht es',
    text: `Sehr geehrte Damen und Herren,

ich schreibe Ihnen nun zum wiederholten Male wegen meines Geschirrspülers GS-45 Silent, Bestellung NL-23060833.

Zur Erinnerung: Im September 2023 lief das Gerät aus, die Pumpe wurde getauscht. Im Januar 2024 derselbe Fehler, wieder wurde die Pumpe getauscht, diesmal nach sieben Wochen Wartezeit, in denen wir von Hand spülen durften. Und seit letzter Woche: genau derselbe Fehler zum dritten Mal. Wasser auf dem Küchenboden, Fehlercode E15, das Laminat ist inzwischen aufgequollen.

Ich habe keinerlei Vertrauen mehr in dieses Gerät und in Ihren Reparaturservice. Eine vierte Reparatur lehne ich ab. Ich verlange die Rücknahme des Gerätes und die Erstattung des vollen Kaufpreises von 649,00 € sowie einen Ausgleich für den Schaden am Fußboden.

Sollte ich bis zum 28. März keine verbindliche Zusage erhalten, werde ich die Angelegenheit meinem Anwalt übergeben.

Hochachtungsvoll
Wolfgang Schulte`,
    gold: { cat: 'warranty_repair', prio: 'high', team: 'technical_service', reply: 'complaint_ack_de',
      f: { product: 'GS-45 Silent', order_id: 'NL-23060833', amount: '649,00 €', customer_name: 'Wolfgang Schulte' } },
  },
  {
    slug: 'widerruf-formal', lang: 'de',
    from: 'Dr. Christine Engel <c.engel@example.de>',
    subject: 'Widerruf des Kaufvertrags',
    text: `Sehr geehrte Damen und Herren,

hiermit widerrufe ich den von mir abgeschlossenen Vertrag über den Kauf der folgenden Ware:

Heißluftfritteuse CrispAir XL
Bestellt am: 06.03.2025
Bestellnummer: NL-24030677
Name: Dr. Christine Engel

Bitte senden Sie mir ein Rücksendeetikett zu.

Mit freundlichen Grüßen
Dr. Christine Engel`,
    gold: { cat: 'return_refund', prio: 'normal', team: 'returns', reply: 'return_instructions_de',
      f: { product: 'Heißluftfritteuse CrispAir XL', order_id: 'NL-24030677', customer_name: 'Dr. Christine Engel' } },
  },
  {
    slug: 'tippfehler', lang: 'de',
    from: 'Heinz Kuhn <heinz.kuhn@example.de>',
    subject: 'wasser maschine leuft aus',
    text: `hallo nordlicht

meine wachmaschine leuft unten aus wen sie schleudert , ales nass im keller. die ist von ihnen im sommer gekaft worden WM 8 Eco . was soll ich machen?? bite schnell

heinz kuhn`,
    gold: { cat: 'warranty_repair', prio: 'high', team: 'technical_service', reply: 'warranty_claim_de',
      f: { product: 'WM 8 Eco', customer_name: 'heinz kuhn' } },
  },
  {
    slug: 'abwesenheitsnotiz', lang: 'de',
    from: 'Jens Hartung <jens.hartung@example-firma.de>',
    subject: 'Automatische Antwort: Ihre Bestellung bei Nordlicht',
    headers: { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' },
    text: `Vielen Dank für Ihre Nachricht. Ich bin bis einschließlich 21.03.2025 nicht im Büro und habe keinen Zugriff auf meine E-Mails. In dringenden Fällen wenden Sie sich bitte an meine Kollegin Frau Seidel (seidel@example-firma.de).

Mit freundlichen Grüßen
Jens Hartung`,
    gold: { cat: 'complaint_other', prio: 'low', team: 'customer_care', reply: null, f: {} },
  },
  {
    slug: 'seo-spam', lang: 'en',
    from: 'Growth Partners <hello@rank-first.example>',
    subject: 'Boost nordlicht-shop.example to #1 on Google',
    html: `<html><body><h2>Hi Nordlicht team!</h2>
<p>We analysed your website and found <b>37 critical SEO issues</b>. Our experts can get you to page one in 30 days - guaranteed!</p>
<p>Reply YES for a free audit.</p><p style="font-size:10px">To unsubscribe reply STOP.</p></body></html>
`,
    gold: { cat: 'complaint_other', prio: 'low', team: 'customer_care', reply: null, f: {} },
  },
  {
    slug: 'price-match', lang: 'en',
    from: 'Ryan Cooper <ryan.cooper@example.com>',
    subject: 'Price match?',
    text: `Hey, the Saugfix R7 is 40 EUR cheaper at another shop. Do you price match? If yes I'd order today.`,
    gold: { cat: 'product_question', prio: 'low', team: 'customer_care', reply: null,
      f: { product: 'Saugfix R7' } },
  },
  {
    slug: 'mahnung-bezahlt', lang: 'de',
    from: 'Erika Schwarz <erika.schwarz@example.de>',
    subject: 'Mahnung obwohl bezahlt!',
    text: `Guten Tag,

ich habe heute eine Mahnung über 74,90 € plus 5,00 € Mahngebühr erhalten (Rechnung RE-2402190). Ich habe die Rechnung aber am 14.02. überwiesen, der Kontoauszug liegt mir vor. Bitte prüfen Sie das und nehmen Sie die Mahngebühr zurück.

Erika Schwarz
Kundennummer KD-338761`,
    gold: { cat: 'invoice_billing', prio: 'high', team: 'billing', reply: null,
      f: { amount: '74,90 €', invoice_id: 'RE-2402190', customer_name: 'Erika Schwarz', customer_id: 'KD-338761' } },
  },
  {
    slug: 'change-email', lang: 'en',
    from: 'Natalie Price <natalie.price@example.com>',
    subject: 'Change e-mail address on my account',
    text: `Hello, I no longer have access to my old email address (n.price@oldmail.example) which is the login for my account KD-451290. Can you change it to this address? I can confirm my address and last order if needed.

Natalie Price`,
    gold: { cat: 'account_access', prio: 'normal', team: 'customer_care', reply: null,
      f: { customer_id: 'KD-451290', customer_name: 'Natalie Price' } },
  },
  {
    slug: 'ersatzteil-glaskanne', lang: 'de',
    from: 'Renate Pohl <renate.pohl@example.de>',
    subject: 'Ersatzteil',
    text: `Guten Tag, gibt es für den Standmixer Mixwerk 1200 den Glasbehälter einzeln als Ersatzteil? Meiner ist mir heruntergefallen. Freundliche Grüße, Renate Pohl`,
    gold: { cat: 'product_question', prio: 'low', team: 'technical_service', reply: 'product_info_de',
      f: { product: 'Standmixer Mixwerk 1200', customer_name: 'Renate Pohl' } },
  },
  {
    slug: 'business-warranty-html', lang: 'en',
    from: 'Facility Desk <facilities@harbourview-hotel.example>',
    subject: 'Warranty claim - 2 coffee machines',
    html: true,
    text: `Dear Nordlicht Service,

two of the Barista Pro 3 machines in our breakfast room (order NL-24010566, delivered in January) show "Error E07 - grinder blocked" and no longer grind. We have cleaned the grinders as described in the manual.

Serial numbers: BP3-2401-118820 and BP3-2401-118823.

Please advise how to proceed under warranty - ideally with a loan unit, as we serve 120 breakfasts every day.

Kind regards
Mark Sullivan
Facility Manager, Harbourview Hotel`,
    gold: { cat: 'warranty_repair', prio: 'high', team: 'technical_service', reply: 'warranty_claim_en',
      f: { product: 'Barista Pro 3', order_id: 'NL-24010566', customer_name: 'Mark Sullivan' } },
  },
  {
    slug: 'paket-beim-nachbarn', lang: 'de',
    from: 'Carsten Voigt <carsten.voigt@example.de>',
    subject: 'Paket angeblich beim Nachbarn',
    text: `Hallo,

laut DHL wurde mein Paket (Sendungsnummer 00340434161094099871) bei einem Nachbarn abgegeben, aber keiner meiner Nachbarn hat es. Eine Karte lag auch nicht im Briefkasten. Bestellung NL-24031277. Was nun?

Carsten Voigt`,
    gold: { cat: 'delivery_problem', prio: 'normal', team: 'fulfillment', reply: 'delivery_delayed_de',
      f: { tracking_id: '00340434161094099871', order_id: 'NL-24031277', customer_name: 'Carsten Voigt' } },
  },
  {
    slug: 'return-label-broken', lang: 'en',
    from: 'Emma Watson-Reid <emma.wr@example.co.uk>',
    subject: 'Return label link not working',
    text: `Hi,

the link to the return label in your email (return RMA-418377) gives me a 404 error. Could you send the label as an attachment instead?

Thanks,
Emma Watson-Reid`,
    gold: { cat: 'return_refund', prio: 'normal', team: 'returns', reply: 'return_instructions_en',
      f: { case_id: 'RMA-418377', customer_name: 'Emma Watson-Reid' } },
  },
  {
    slug: 'teilerstattung', lang: 'de',
    from: 'Manfred Sommer <manfred.sommer@example.de>',
    subject: 'Falscher Erstattungsbetrag',
    text: `Guten Tag,

für die Rücksendung RMA-418150 haben Sie mir nur 59,90 € erstattet. Bezahlt hatte ich aber 79,90 € inklusive Versand. Laut Ihren AGB werden bei Widerruf auch die Hinsendekosten erstattet. Bitte überweisen Sie mir die Differenz.

Manfred Sommer`,
    gold: { cat: 'return_refund', prio: 'normal', team: 'billing', reply: 'refund_status_de',
      f: { case_id: 'RMA-418150', amount: '79,90 €', customer_name: 'Manfred Sommer' } },
  },
  {
    slug: 'two-factor', lang: 'en',
    from: 'Victor Chen <victor.chen@example.com>',
    subject: 'Lost phone - 2FA codes',
    text: `Hi support,
I enabled two-factor login on my Nordlicht account and then lost my phone. Now I can't log in at all. How do I reset 2FA? My customer no. is KD-610772.
Victor Chen`,
    gold: { cat: 'account_access', prio: 'normal', team: 'customer_care', reply: 'password_reset_en',
      f: { customer_id: 'KD-610772', customer_name: 'Victor Chen' } },
  },
  {
    slug: 'compare-energy', lang: 'en',
    from: 'Isabella Rossi <isabella.rossi@example.it>',
    subject: 'WM 8 Eco vs TK 8',
    text: `Hello! Can the TK 8 dryer be stacked on top of the WM 8 Eco washer with a stacking kit? And what is the yearly energy consumption of the dryer in kWh? Grazie, Isabella Rossi`,
    gold: { cat: 'product_question', prio: 'low', team: 'customer_care', reply: 'product_info_en',
      f: { product: 'TK 8 dryer', customer_name: 'Isabella Rossi' } },
  },
  {
    slug: 'techniker-nicht-gekommen', lang: 'de',
    from: 'Brigitte Haas <brigitte.haas@example.de>',
    subject: 'Techniker nicht erschienen',
    html: true,
    text: `Guten Tag,

für heute zwischen 8 und 12 Uhr war der Techniker für meinen Trockner angekündigt (Reparaturauftrag RMA-418066). Ich habe mir extra freigenommen, aber es kam niemand und es hat sich auch niemand gemeldet. Das ist schon der zweite geplatzte Termin.

Ich erwarte einen verbindlichen neuen Termin noch in dieser Woche.

Brigitte Haas`,
    gold: { cat: 'warranty_repair', prio: 'high', team: 'technical_service', reply: 'repair_status_de',
      f: { case_id: 'RMA-418066', customer_name: 'Brigitte Haas' } },
  },
  {
    slug: 'rude-hotline', lang: 'en',
    from: 'Margaret Hughes <m.hughes@example.co.uk>',
    subject: 'Complaint about phone support',
    text: `To whom it may concern,

I called your hotline today about a simple question and the agent was condescending and hung up on me when I asked to speak to a supervisor. I have been a loyal customer for six years and I have never been treated like this. I expect an apology.

Yours faithfully,
Margaret Hughes`,
    gold: { cat: 'complaint_other', prio: 'normal', team: 'customer_care', reply: 'complaint_ack_en',
      f: { customer_name: 'Margaret Hughes' } },
  },
  {
    slug: 'zoll-schweiz', lang: 'de',
    from: 'Beat Käser <beat.kaeser@example.ch>',
    subject: 'Zollgebühren bei Lieferung in die Schweiz',
    text: `Grüezi

Bei der Lieferung meines Kaffeevollautomaten (Bestellung NL-24030918) musste ich dem Paketboten 87.50 CHF Zoll und Mehrwertsteuer bezahlen. Im Shop stand, die Preise seien inklusive aller Gebühren für die Schweiz. Ich bitte um Rückerstattung dieses Betrags.

Freundliche Grüsse
Beat Käser`,
    gold: { cat: 'invoice_billing', prio: 'normal', team: 'billing', reply: null,
      f: { order_id: 'NL-24030918', amount: '87.50 CHF', customer_name: 'Beat Käser' } },
  },
  {
    slug: 'lf-line-endings', lang: 'en',
    from: 'Noah Walker <noah.walker@example.org>',
    subject: 'Shipping date for NL-24031945?',
    lf: true,
    text: `Hi, when will order NL-24031945 ship? The site said "ships in 2-3 days" and it has been 6.

Noah Walker`,
    gold: { cat: 'order_status', prio: 'normal', team: 'fulfillment', reply: 'order_status_en',
      f: { order_id: 'NL-24031945', customer_name: 'Noah Walker' } },
  },
  {
    slug: 'gutschein-einloesen', lang: 'de',
    from: 'Melanie Franke <melanie.franke@example.de>',
    subject: 'Gutschein lässt sich nicht einlösen',
    text: `Hallo,

ich habe zu Weihnachten einen Nordlicht-Gutschein über 50,00 € geschenkt bekommen. Beim Bezahlen kommt aber immer "Gutschein ungültig". Der Code ist NLGS-7H2K-99QX. Was mache ich falsch?

Danke
Melanie Franke`,
    gold: { cat: 'invoice_billing', prio: 'normal', team: 'billing', reply: null,
      f: { amount: '50,00 €', customer_name: 'Melanie Franke' } },
  },
  {
    slug: 'spuelmaschine-ueberschwemmung', lang: 'de',
    from: 'Tanja Roth <tanja.roth@example.de>',
    subject: 'NOTFALL Wasser läuft aus Spülmaschine',
    text: `Bitte schnell melden!!! Unser Geschirrspüler GS-45 Silent hat die ganze Küche unter Wasser gesetzt, es tropft schon bei den Nachbarn unten durch die Decke. Wasserhahn ist zu, Sicherung raus. Gekauft vor 5 Monaten, Bestellung NL-24100372. Wer kommt und schaut sich das an? Tel. 0171 2345678

Tanja Roth`,
    gold: { cat: 'warranty_repair', prio: 'urgent', team: 'technical_service', reply: 'safety_stop_use_de',
      f: { product: 'Geschirrspüler GS-45 Silent', order_id: 'NL-24100372', customer_name: 'Tanja Roth' } },
  },
  {
    slug: 'konto-fremdbestellung', lang: 'de',
    from: 'Oliver Busch <oliver.busch@example.de>',
    subject: 'Jemand hat in meinem Konto bestellt',
    html: true,
    text: `Hallo,

ich habe gerade eine Versandbestätigung über eine Heißluftfritteuse bekommen, die ich nie bestellt habe. Die Lieferadresse in meinem Konto wurde auf eine Adresse in Hamburg geändert, die ich nicht kenne! Bitte sperren Sie sofort mein Konto KD-284466 und stoppen Sie die Lieferung.

Oliver Busch`,
    gold: { cat: 'account_access', prio: 'urgent', team: 'customer_care', reply: null,
      f: { customer_id: 'KD-284466', customer_name: 'Oliver Busch' } },
  },
  {
    slug: 'melted-cord', lang: 'en',
    from: 'Karen Mitchell <karen.mitchell@example.com>',
    subject: 'Power cord melted!',
    text: `Hello,

the power cord of my CrispAir XL air fryer melted right at the plug while it was running and there was a strong smell of burning plastic. I unplugged it with oven gloves. Order NL-24020844. I do not feel safe using it again. What do I do now?

Karen Mitchell`,
    gold: { cat: 'warranty_repair', prio: 'urgent', team: 'technical_service', reply: 'safety_stop_use_en',
      f: { product: 'CrispAir XL air fryer', order_id: 'NL-24020844', customer_name: 'Karen Mitchell' } },
  },
];
