// Writes inbox/*.eml and gold.jsonl from the hand-written mails in mails_*.mjs.
//   node examples/support-mail/tools/build_inbox.mjs
// The .eml files and gold.jsonl are committed; rerun this after editing a mail. The output is
// deterministic (Message-IDs and boundaries derive from each mail's slug).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { address, encodedWord, isAscii, renderPart, token } from './mime.mjs';
import { kMailsDe } from './mails_de.mjs';
import { kMailsEn } from './mails_en.mjs';
import { kMailsHostile } from './mails_hostile.mjs';
import { kMailsMore } from './mails_more.mjs';

const kRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const kSupport = 'Nordlicht Kundenservice <service@nordlicht-shop.example>';
const kFieldNames = ['order_id', 'invoice_id', 'customer_id', 'customer_name', 'product',
  'amount', 'tracking_id', 'case_id'];
const kPatterns = { order_id: /^NL-\d{8}$/, invoice_id: /^RE-\d{7}$/, customer_id: /^KD-\d{6}$/,
  case_id: /^RMA-\d{6}$/ };

function escapeHtml(text) {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// Simple HTML rendering of a plain-text body: paragraphs, line breaks, quoted blocks.
function htmlFromText(text) {
  const paragraphs = text.trim().split(/\n{2,}/).map((p) => {
    const lines = p.split('\n');
    if (lines.every((l) => l.startsWith('>'))) {
      const inner = lines.map((l) => escapeHtml(l.replace(/^> ?/, ''))).join('<br>\n');
      return `<blockquote style="border-left:2px solid #ccc;padding-left:8px">${inner}</blockquote>`;
    }
    return `<p>${lines.map(escapeHtml).join('<br>\n')}</p>`;
  });
  return `<html>\n<head><meta charset="utf-8"></head>\n<body style="font-family:Arial,sans-serif;font-size:14px">\n${paragraphs.join('\n')}\n</body>\n</html>\n`;
}

function textPart(mail, type, text) {
  const charset = mail.charset ?? (isAscii(text) ? 'us-ascii' : 'utf-8');
  const encoding = mail.encoding ?? (isAscii(text) ? '7bit' : 'quoted-printable');
  return { type, charset, encoding, text, charsetQuoted: mail.charsetQuoted };
}

function bodyPart(mail) {
  const html = mail.html === true ? htmlFromText(mail.text) : mail.html;
  if (html && mail.text === undefined) return textPart(mail, 'text/html', html);
  if (!html) return textPart(mail, 'text/plain', mail.text);
  return { type: 'multipart/alternative', boundary: `alt-${token(mail.slug + 'alt', 20)}`,
    parts: [textPart(mail, 'text/plain', mail.text), textPart(mail, 'text/html', html)] };
}

let clock = Date.UTC(2025, 2, 3, 7, 12, 5);
function nextDate(mail, index) {
  clock += (47 + (index * 37) % 190) * 60 * 1000;
  const offset = mail.lang === 'de' ? 60 : [0, -300, 60, 0, -240, 330][index % 6];
  const local = new Date(clock + offset * 60 * 1000);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n) => String(n).padStart(2, '0');
  const sign = offset < 0 ? '-' : '+';
  const tz = `${sign}${pad(Math.floor(Math.abs(offset) / 60))}${pad(Math.abs(offset) % 60)}`;
  return `${days[local.getUTCDay()]}, ${pad(local.getUTCDate())} ${months[local.getUTCMonth()]} ` +
    `${local.getUTCFullYear()} ${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:` +
    `${pad(local.getUTCSeconds())} ${tz}`;
}

// Renders one message (also used for message/rfc822 parts); returns [messageId, latin1 string].
function renderMessage(mail, index) {
  const domain = mail.msgidDomain ?? /<[^<>@]+@([^<>]+)>\s*$/.exec(mail.from)[1];
  const messageId = mail.messageId ?? `<${token(mail.slug, 12)}.${token(mail.slug + 'x', 8)}@${domain}>`;
  let body = bodyPart(mail);
  const attachments = (mail.attachments ?? []).map((a) => ({
    type: a.type, name: a.name, encoding: a.encoding ?? 'base64',
    charset: a.charset, bytes: a.bytes ?? Buffer.from(a.text, 'utf8'),
    disposition: `attachment;\r\n filename="${a.name}"`,
  }));
  if (mail.forward) {
    const [, raw] = renderMessage(mail.forward, index + 1000);
    attachments.push({ type: 'message/rfc822', raw, disposition: 'inline' });
  }
  if (mail.inlineImage) {
    body = { type: 'multipart/related', boundary: `rel-${token(mail.slug + 'rel', 20)}`,
      parts: [body, { type: 'image/png', name: mail.inlineImage.name, encoding: 'base64',
        bytes: mail.inlineImage.bytes, contentId: mail.inlineImage.cid,
        disposition: `inline; filename="${mail.inlineImage.name}"` }] };
  }
  if (attachments.length) {
    body = { type: 'multipart/mixed', boundary: `mix-${token(mail.slug + 'mix', 20)}`,
      preamble: 'This is a multi-part message in MIME format.', parts: [body, ...attachments] };
  }
  const headers = [];
  const charset = mail.headerCharset ?? 'utf-8';
  if (mail.received) headers.push(...mail.received);
  headers.push(`Date: ${mail.date ?? nextDate(mail, index)}`);
  headers.push(`From: ${address(mail.from, charset)}`);
  headers.push(`To: ${address(mail.to ?? kSupport, charset)}`);
  if (mail.cc) headers.push(`Cc: ${address(mail.cc, charset)}`);
  headers.push(`Subject: ${encodedWord(mail.subject, { charset, mode: mail.subjectMode ?? 'Q' })}`);
  headers.push(`Message-ID: ${messageId}`);
  for (const [name, value] of Object.entries(mail.headers ?? {})) headers.push(`${name}: ${value}`);
  headers.push('MIME-Version: 1.0');
  const rendered = headers.join('\r\n') + '\r\n' + renderPart(body) + (body.parts ? '' : '\r\n');
  return [messageId, mail.lf ? rendered.replace(/\r\n/g, '\n') : rendered];
}

function visibleText(mail) {
  const html = mail.html === true ? '' : (mail.html ?? '');
  const inner = mail.forward ? visibleText(mail.forward) : '';
  return (mail.text ?? '') + '\n' + html.replace(/<[^>]*>/g, ' ') + '\n' + inner;
}

function goldRecord(mail, file, messageId) {
  const fields = Object.fromEntries(kFieldNames.map((k) => [k, mail.gold.f?.[k] ?? null]));
  for (const key of Object.keys(mail.gold.f ?? {})) {
    if (!kFieldNames.includes(key)) throw new Error(`${mail.slug}: unknown field ${key}`);
  }
  const text = visibleText(mail);
  for (const [key, value] of Object.entries(fields)) {
    if (value === null) continue;
    if (!text.includes(value)) throw new Error(`${mail.slug}: ${key} "${value}" is not in the body`);
    if (kPatterns[key] && !kPatterns[key].test(value)) throw new Error(`${mail.slug}: bad ${key} ${value}`);
  }
  return { file, message_id: messageId.slice(1, -1), language: mail.lang, category: mail.gold.cat,
    priority: mail.gold.prio, team: mail.gold.team, fields, reply_id: mail.gold.reply ?? null,
    hostile: mail.gold.hostile ?? false };
}

const mails = [...kMailsDe, ...kMailsEn, ...kMailsHostile, ...kMailsMore];
const inbox = join(kRoot, 'inbox');
rmSync(inbox, { recursive: true, force: true });
mkdirSync(inbox);
const gold = [];
const seen = new Set();
mails.forEach((mail, i) => {
  const file = `inbox/${String(i + 1).padStart(3, '0')}-${mail.slug}.eml`;
  if (seen.has(mail.slug)) throw new Error(`duplicate slug ${mail.slug}`);
  seen.add(mail.slug);
  const [messageId, raw] = renderMessage(mail, i);
  writeFileSync(join(kRoot, file), Buffer.from(raw, 'latin1'));
  gold.push(goldRecord(mail, file, messageId));
});
writeFileSync(join(kRoot, 'gold.jsonl'), gold.map((g) => JSON.stringify(g)).join('\n') + '\n');
console.log(`${mails.length} mails, ${readdirSync(inbox).length} files`);
