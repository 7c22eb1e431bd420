// Writes the deliberately broken mails of inbox-broken/ (see inbox-broken/expected.jsonl).
//   node examples/support-mail/tools/build_broken.mjs
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const kDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'inbox-broken');
const out = (name, data) => writeFileSync(join(kDir, name), data);
const crlf = (s) => s.replace(/\n/g, '\r\n');
const head = (id, subject, extra = '') => crlf(`Date: Tue, 11 Mar 2025 10:00:00 +0100
From: Test Kunde <kunde@example.de>
To: Nordlicht Kundenservice <service@nordlicht-shop.example>
Subject: ${subject}
${id ? `Message-ID: <${id}@example.de>\n` : ''}MIME-Version: 1.0
${extra}`);

out('corrupt-boundary.eml', head('broken-boundary-01', 'Rechnung', `Content-Type: multipart/mixed; boundary="declared-boundary"

--other-boundary
Content-Type: text/plain; charset=utf-8

Bitte Rechnung zu NL-24039901 schicken.
--other-boundary
Content-Type: application/pdf; name="x.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQK
`));
out('latin1-no-charset.eml', Buffer.concat([
  Buffer.from(head('broken-latin1-01', 'Garantie', 'Content-Type: text/plain\nContent-Transfer-Encoding: 8bit\n\n')),
  Buffer.from(crlf('Mein Gerät ist defekt, bitte um Rückruf. Grüße, Jörg Weiß\n'), 'latin1'),
]));
out('empty-body.eml', head('broken-empty-01', 'Hilfe', 'Content-Type: text/plain; charset=utf-8\n\n'));
const full = head('broken-truncated-01', 'Foto', `Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8

Foto vom Schaden anbei, Bestellung NL-24039902.
--b1
Content-Type: image/png; name="schaden.png"
Content-Transfer-Encoding: base64

iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==
--b1--
`);
out('truncated.eml', full.slice(0, full.indexOf('AAAADUlEQVR42')));
out('not-an-email.eml', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00,
  0x0d, 0xff, 0xfe, 0x00, 0x01]));
out('missing-message-id.eml', head(null, 'Lieferung',
  'Content-Type: text/plain; charset=utf-8\n\nWo ist meine Bestellung NL-24039903?\n'));
out('bad-base64-body.eml', head('broken-base64-01', 'Status',
  'Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\nV28gaXN0IG1laW5l***nicht base64***\n'));
out('unknown-charset.eml', head('broken-charset-01', 'Frage',
  'Content-Type: text/plain; charset=x-klingon-42\nContent-Transfer-Encoding: 8bit\n\nGibt es den Toaster in Rot?\n'));
