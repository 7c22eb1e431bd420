// German customer mails (hand-written). Fields in `gold.f` must occur verbatim in the body.
export const kMailsDe = [
  {
    slug: 'wo-bleibt-bestellung', lang: 'de',
    from: 'Petra Schneider <petra.schneider@example.de>',
    subject: 'Wo bleibt meine Bestellung?',
    text: `Hallo,

ich habe am Donnerstag einen Wasserkocher Aqua Boil 1.7 bei Ihnen bestellt (Bestellnummer NL-24031877) und bis heute keine Versandbestätigung bekommen. Können Sie mir sagen, wann er verschickt wird?

Viele Grüße
Petra Schneider`,
    gold: { cat: 'order_status', prio: 'normal', team: 'fulfillment', reply: 'order_status_de',
      f: { order_id: 'NL-24031877', customer_name: 'Petra Schneider', product: 'Wasserkocher Aqua Boil 1.7' } },
  },
  {
    slug: 'kurz-status', lang: 'de',
    from: 'k.yilmaz@example.net <k.yilmaz@example.net>',
    subject: 'status',
    text: `Status von NL-24032011 bitte. Danke`,
    gold: { cat: 'order_status', prio: 'low', team: 'fulfillment', reply: 'order_status_de',
      f: { order_id: 'NL-24032011' } },
  },
  {
    slug: 'paket-beschaedigt', lang: 'de',
    from: 'Jürgen Hoffmann <j.hoffmann@example.de>',
    subject: 'Waschmaschine beschädigt angeliefert!!',
    text: `Sehr geehrte Damen und Herren,

heute wurde unsere neue Waschmaschine WM 8 Eco geliefert. Die Spedition hat sie im Hausflur abgestellt und ist sofort weggefahren. Als wir die Verpackung geöffnet haben, war die Frontklappe eingedrückt und das Bullauge hat einen Sprung.

Bestellnummer: NL-24030415
Kundennummer: KD-418820

Ich erwarte, dass Sie das Gerät umgehend abholen und mir ein neues liefern. Fotos kann ich gerne schicken.

Mit freundlichen Grüßen
Jürgen Hoffmann
Lindenstraße 12
34117 Kassel`,
    gold: { cat: 'delivery_problem', prio: 'high', team: 'fulfillment', reply: 'delivery_damaged_de',
      f: { order_id: 'NL-24030415', customer_id: 'KD-418820', customer_name: 'Jürgen Hoffmann', product: 'Waschmaschine WM 8 Eco' } },
  },
  {
    slug: 'ruecksendung-toaster', lang: 'de',
    from: 'Anna Becker <anna.becker@example.org>',
    subject: 'Rücksendung Toaster',
    html: true,
    text: `Hallo Nordlicht-Team,

der Toastmeister T2 gefällt mir leider nicht, er bräunt sehr ungleichmäßig. Ich möchte ihn gerne zurückschicken. Er ist erst 9 Tage alt und noch in der Originalverpackung. Wie funktioniert das mit dem Rücksendeetikett?

Bestellung NL-24030998

Liebe Grüße
Anna Becker`,
    gold: { cat: 'return_refund', prio: 'normal', team: 'returns', reply: 'return_instructions_de',
      f: { order_id: 'NL-24030998', customer_name: 'Anna Becker', product: 'Toastmeister T2' } },
  },
  {
    slug: 'rechnung-kopie', lang: 'de',
    from: 'Buchhaltung Möller Bau <buchhaltung@moeller-bau.example>',
    subject: 'Rechnungskopie benötigt',
    text: `Guten Tag,

für unsere Buchhaltung benötigen wir eine Kopie der Rechnung RE-2403117 zur Bestellung NL-24022876. Das Original ist leider nicht auffindbar.

Bitte senden Sie die Rechnung als PDF an diese Adresse.

Mit freundlichen Grüßen
i. A. Sabine Krämer
Möller Bau GmbH & Co. KG
Buchhaltung

--
Möller Bau GmbH & Co. KG · Industriestraße 4 · 49076 Osnabrück
Geschäftsführer: Thomas Möller · Amtsgericht Osnabrück HRA 20411
Diese E-Mail enthält vertrauliche Informationen. Wenn Sie nicht der richtige Adressat sind, informieren Sie bitte sofort den Absender und vernichten Sie diese Mail.`,
    gold: { cat: 'invoice_billing', prio: 'low', team: 'billing', reply: 'invoice_copy_de',
      f: { invoice_id: 'RE-2403117', order_id: 'NL-24022876', customer_name: 'Sabine Krämer' } },
  },
  {
    slug: 'doppelt-abgebucht', lang: 'de',
    from: 'Markus Weber <markus.weber@example.de>',
    subject: 'Betrag doppelt abgebucht',
    text: `Hallo,

auf meinem Kontoauszug sehe ich, dass der Betrag von 349,99 € für meine Bestellung NL-24031002 zweimal abgebucht wurde (am 4. und am 5. März). Bitte erstatten Sie mir den doppelten Betrag zurück.

Gruß
Markus Weber`,
    gold: { cat: 'invoice_billing', prio: 'high', team: 'billing', reply: 'payment_double_charge_de',
      f: { amount: '349,99 €', order_id: 'NL-24031002', customer_name: 'Markus Weber' } },
  },
  {
    slug: 'kaffeevollautomat-garantie', lang: 'de',
    from: 'Helga Brandt <helga.brandt@example.de>',
    subject: 'Kaffeevollautomat macht keinen Kaffee mehr',
    charset: 'iso-8859-1', encoding: 'quoted-printable', headerCharset: 'iso-8859-1',
    text: `Guten Tag,

mein Kaffeevollautomat Barista Pro 3, gekauft im Oktober letzten Jahres bei Ihnen, pumpt seit gestern kein Wasser mehr durch. Die Anzeige zeigt "Fehler E04". Entkalkt habe ich ihn regelmäßig. Das Gerät ist doch noch in der Garantie, oder? Was muss ich tun?

Freundliche Grüße
Helga Brandt`,
    gold: { cat: 'warranty_repair', prio: 'normal', team: 'technical_service', reply: 'warranty_claim_de',
      f: { product: 'Barista Pro 3', customer_name: 'Helga Brandt' } },
  },
  {
    slug: 'passwort-vergessen', lang: 'de',
    from: 'Lena Fischer <lena.fischer@example.com>',
    subject: 'Passwort vergessen, Reset-Mail kommt nicht an',
    text: `Hallo, ich komme nicht mehr in mein Kundenkonto. Ich habe schon dreimal auf "Passwort vergessen" geklickt, aber es kommt keine Mail an (auch nicht im Spam). Meine Kundennummer ist KD-502337.

Danke und Gruß
Lena Fischer`,
    gold: { cat: 'account_access', prio: 'normal', team: 'customer_care', reply: 'password_reset_de',
      f: { customer_id: 'KD-502337', customer_name: 'Lena Fischer' } },
  },
  {
    slug: 'frage-kuehlschrank-masse', lang: 'de',
    from: 'Tobias Klein <tobias.klein@example.de>',
    subject: 'Frage zu Frostwerk KG 320',
    text: `Hallo,

passt der Frostwerk KG 320 in eine Nische mit 56 cm Breite und 178 cm Höhe? Auf der Produktseite steht nur die Außenbreite. Und kann man den Türanschlag wechseln?

Danke!
Tobias`,
    gold: { cat: 'product_question', prio: 'low', team: 'customer_care', reply: 'product_info_de',
      f: { product: 'Frostwerk KG 320' } },
  },
  {
    slug: 'wut-dritte-mail', lang: 'de',
    from: 'Dieter Lange <d.lange@example.net>',
    subject: 'DRITTE MAIL!!! Keine Antwort!!!',
    text: `Das ist jetzt meine DRITTE Mail und ich bekomme einfach keine Antwort. Unfassbar!!!

Ich habe am 12.02. einen Staubsauger-Roboter Saugfix R7 bestellt und BEZAHLT, 429,00 EUR, Bestellnummer NL-24021254. Angeblich zugestellt laut Sendungsverfolgung, aber bei mir ist NICHTS angekommen. Kein Paket, keine Benachrichtigung, nichts. Die Nachbarn haben auch nichts.

Ihre Hotline hängt mich nach 20 Minuten Warteschleife einfach raus. So behandelt man keine Kunden. Wenn ich bis Freitag nichts höre, gehe ich zur Verbraucherzentrale und lasse die Zahlung über meine Kreditkarte zurückbuchen.

Dieter Lange`,
    gold: { cat: 'delivery_problem', prio: 'high', team: 'fulfillment', reply: 'delivery_delayed_de',
      f: { product: 'Staubsauger-Roboter Saugfix R7', amount: '429,00 EUR', order_id: 'NL-24021254', customer_name: 'Dieter Lange' } },
  },
  {
    slug: 'storno', lang: 'de',
    from: 'Sophie Wagner <sophie.wagner@example.org>',
    subject: 'Stornierung',
    text: `Hallo,
bitte stornieren Sie meine Bestellung NL-24031420 (Standmixer Mixwerk 1200), ich habe mich vertan und das falsche Modell bestellt. Falls sie schon verschickt ist, nehme ich sie nicht an.
Danke, Sophie Wagner`,
    gold: { cat: 'order_status', prio: 'normal', team: 'fulfillment', reply: 'order_cancel_de',
      f: { order_id: 'NL-24031420', product: 'Standmixer Mixwerk 1200', customer_name: 'Sophie Wagner' } },
  },
  {
    slug: 'erstattung-fehlt', lang: 'de',
    from: 'Claudia Richter <claudia.richter@example.de>',
    subject: 'Re: Ihre Rücksendung ist bei uns eingegangen',
    headers: { 'In-Reply-To': '<rma-418200.confirm@nordlicht-shop.example>',
      References: '<rma-418200.confirm@nordlicht-shop.example>' },
    text: `Hallo,

die Rücksendung ist laut Ihrer Mail unten seit dem 20.02. bei Ihnen, aber die Erstattung von 89,90 € ist immer noch nicht auf meinem Konto. Wann kann ich damit rechnen?

Gruß
Claudia Richter

Am 20.02.2025 um 14:02 schrieb Nordlicht Kundenservice <service@nordlicht-shop.example>:
> Guten Tag Frau Richter,
>
> Ihre Rücksendung RMA-418200 zur Bestellung NL-24020117 ist heute bei uns eingegangen.
> Die Erstattung wird innerhalb von 5 Werktagen veranlasst.
>
> Ihr Nordlicht Kundenservice`,
    gold: { cat: 'return_refund', prio: 'normal', team: 'billing', reply: 'refund_status_de',
      f: { amount: '89,90 €', customer_name: 'Claudia Richter', case_id: 'RMA-418200', order_id: 'NL-24020117' } },
  },
  {
    slug: 'reparatur-status', lang: 'de',
    from: 'Werner Zimmermann <w.zimmermann@example.de>',
    subject: 'Stand meiner Reparatur RMA-417733',
    charset: 'iso-8859-1', encoding: '8bit', headerCharset: 'iso-8859-1',
    text: `Sehr geehrte Damen und Herren,

vor drei Wochen habe ich meinen Wäschetrockner TK 8 zur Reparatur eingeschickt (Vorgang RMA-417733). Seitdem habe ich nichts mehr gehört. Können Sie mir bitte mitteilen, wie der Stand ist und wann ich das Gerät zurückbekomme?

Mit freundlichen Grüßen

Werner Zimmermann`,
    gold: { cat: 'warranty_repair', prio: 'normal', team: 'technical_service', reply: 'repair_status_de',
      f: { case_id: 'RMA-417733', product: 'Wäschetrockner TK 8', customer_name: 'Werner Zimmermann' } },
  },
  {
    slug: 'konto-loeschen', lang: 'de',
    from: 'Monika Schulz <monika.schulz@example.com>',
    subject: 'Löschung meiner Daten nach DSGVO',
    text: `Sehr geehrte Damen und Herren,

hiermit fordere ich Sie gemäß Art. 17 DSGVO auf, mein Kundenkonto sowie alle zu meiner Person gespeicherten Daten zu löschen. Bitte bestätigen Sie mir die Löschung schriftlich.

Monika Schulz`,
    gold: { cat: 'account_access', prio: 'normal', team: 'customer_care', reply: 'account_delete_de',
      f: { customer_name: 'Monika Schulz' } },
  },
  {
    slug: 'lob-lieferung', lang: 'de',
    from: 'Familie Neumann <neumann.familie@example.de>',
    subject: 'Einfach mal Danke',
    html: true,
    text: `Liebes Nordlicht-Team,

wir wollten einfach mal Danke sagen: der Geschirrspüler GS-45 Silent kam zwei Tage früher als angekündigt, die Monteure waren super freundlich und haben sogar die alte Maschine mitgenommen. So macht Einkaufen Spaß!

Herzliche Grüße
Familie Neumann`,
    gold: { cat: 'complaint_other', prio: 'low', team: 'customer_care', reply: 'feedback_thanks_de',
      f: { product: 'Geschirrspüler GS-45 Silent' } },
  },
  {
    slug: 'rauch-mikrowelle', lang: 'de',
    from: 'Stefan Braun <stefan.braun@example.de>',
    subject: 'Mikrowelle qualmt - dringend!',
    text: `Hallo, unsere Mikrowelle MW 25 Grill hat heute beim Aufwärmen angefangen zu qualmen und es roch stark verschmort. Ich habe sofort den Stecker gezogen. Die Rückwand ist ganz heiß und innen ist ein schwarzer Fleck. Ist das gefährlich? Das Gerät ist erst 4 Monate alt, Bestellung NL-23112290.

Stefan Braun`,
    gold: { cat: 'warranty_repair', prio: 'urgent', team: 'technical_service', reply: 'safety_stop_use_de',
      f: { product: 'Mikrowelle MW 25 Grill', order_id: 'NL-23112290', customer_name: 'Stefan Braun' } },
  },
  {
    slug: 'teillieferung', lang: 'de',
    from: 'Ralf Krüger <ralf.krueger@example.net>',
    subject: 'Paket unvollständig',
    text: `Moin,

im Paket zur Bestellung NL-24031188 war nur die Dunstabzugshaube Airline 60, der dazugehörige Aktivkohlefilter fehlt aber. Auf dem Lieferschein steht er drauf. Bitte nachliefern.

Ralf Krüger`,
    gold: { cat: 'delivery_problem', prio: 'normal', team: 'fulfillment', reply: 'delivery_incomplete_de',
      f: { order_id: 'NL-24031188', product: 'Dunstabzugshaube Airline 60', customer_name: 'Ralf Krüger' } },
  },
  {
    slug: 'bestellung-ohne-nummer', lang: 'de',
    from: 'Gisela Hartmann <gisela.hartmann@example.de>',
    subject: 'meine bestellung',
    text: `hallo ich habe vor zwei wochen einen toaster bestellt aber der ist immer noch nicht da. die nummer finde ich nicht mehr. können sie mal nachschaun. mit freundlichem gruß gisela hartmann`,
    gold: { cat: 'order_status', prio: 'normal', team: 'fulfillment', reply: 'ask_order_number_de',
      f: { customer_name: 'gisela hartmann' } },
  },
  {
    slug: 'firmenadresse-rechnung', lang: 'de',
    from: 'Einkauf Praxis Dr. Vogel <einkauf@praxis-vogel.example>',
    subject: 'Rechnung auf Firma umschreiben',
    text: `Guten Tag,

die Rechnung RE-2403342 wurde leider auf meinen privaten Namen ausgestellt. Bitte stellen Sie die Rechnung auf unsere Praxis aus:

Praxis Dr. med. Katrin Vogel
Bahnhofstraße 7
79098 Freiburg
USt-IdNr. DE123456789

Vielen Dank
Katrin Vogel`,
    gold: { cat: 'invoice_billing', prio: 'low', team: 'billing', reply: 'invoice_copy_de',
      f: { invoice_id: 'RE-2403342', customer_name: 'Katrin Vogel' } },
  },
  {
    slug: 'lieferzeit-vorab', lang: 'de',
    from: 'Julia Schmitt <julia.schmitt@example.com>',
    subject: 'Lieferzeit Heißluftfritteuse',
    text: `Hallo, wie lange dauert die Lieferung der Heißluftfritteuse CrispAir XL aktuell? Ich bräuchte sie bis Ostern als Geschenk. LG Julia`,
    gold: { cat: 'product_question', prio: 'low', team: 'customer_care', reply: 'product_info_de',
      f: { product: 'Heißluftfritteuse CrispAir XL' } },
  },
  {
    slug: 'beschwerde-monteur', lang: 'de',
    from: 'Bernd Schröder <bernd.schroeder@example.de>',
    subject: 'Beschwerde über Ihren Montageservice',
    text: `Sehr geehrte Damen und Herren,

ich möchte mich über den Montageservice beschweren, den ich bei der Lieferung meines Kühlschranks gebucht und bezahlt habe (49,00 €). Die beiden Herren kamen 3 Stunden zu spät, ohne sich vorher zu melden, haben mit ihren Schuhen den frisch verlegten Parkettboden zerkratzt und waren zudem ausgesprochen unhöflich, als ich sie darauf angesprochen habe.

Der Kühlschrank selbst funktioniert, darum geht es mir nicht. Aber für den Schaden am Boden erwarte ich eine Lösung und für den Montageservice eine Erstattung.

Mit freundlichen Grüßen
Bernd Schröder`,
    gold: { cat: 'complaint_other', prio: 'high', team: 'customer_care', reply: 'complaint_ack_de',
      f: { amount: '49,00 €', customer_name: 'Bernd Schröder' } },
  },
  {
    slug: 'umtausch-farbe', lang: 'de',
    from: 'Nina Wolf <nina.wolf@example.org>',
    subject: 'Umtausch Wasserkocher in andere Farbe?',
    text: `Hi, ich habe den Aqua Boil 1.7 in Weiß bekommen, hätte aber lieber den in Schwarz. Kann ich ihn einfach zurückschicken und den schwarzen neu bestellen oder geht auch ein Umtausch? Bestellnr. NL-24031506

Danke, Nina Wolf`,
    gold: { cat: 'return_refund', prio: 'low', team: 'returns', reply: 'return_instructions_de',
      f: { product: 'Aqua Boil 1.7', order_id: 'NL-24031506', customer_name: 'Nina Wolf' } },
  },
];
