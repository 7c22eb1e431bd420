// Minimal MIME writer for the example inbox: RFC 5322 headers, RFC 2047 encoded words,
// quoted-printable and base64 bodies, multipart/alternative, mixed and related, and
// message/rfc822 parts. Only what build_inbox.mjs needs; no npm packages.
import { createHash } from 'node:crypto';

// Bytes of `text` in `charset` ("utf-8", "iso-8859-1", "windows-1252", "us-ascii").
export function encodeCharset(text, charset) {
  const cs = charset.toLowerCase();
  if (cs === 'utf-8') return Buffer.from(text, 'utf8');
  const out = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0);
    if (cp < 0x80 || (cs !== 'us-ascii' && cp < 0x100 && !(cs === 'windows-1252' && cp >= 0x80 && cp < 0xa0))) {
      out.push(cp);
    } else if (cs === 'windows-1252' && kCp1252[cp] !== undefined) {
      out.push(kCp1252[cp]);
    } else {
      throw new Error(`character U+${cp.toString(16)} not representable in ${charset}`);
    }
  }
  return Buffer.from(out);
}

const kCp1252 = { 0x20ac: 0x80, 0x201e: 0x84, 0x2026: 0x85, 0x2018: 0x91, 0x2019: 0x92,
  0x201c: 0x93, 0x201d: 0x94, 0x2013: 0x96, 0x2014: 0x97 };

export function isAscii(text) {
  return /^[\x00-\x7f]*$/.test(text);
}

// RFC 2047 encoded word(s) for a header value; "B" or "Q" encoding.
export function encodedWord(text, { charset = 'utf-8', mode = 'Q' } = {}) {
  if (isAscii(text)) return text;
  const bytes = encodeCharset(text, charset);
  if (mode === 'B') {
    // Split so that each encoded word stays under 75 characters and no UTF-8 sequence is cut.
    const words = [];
    let start = 0;
    while (start < bytes.length) {
      let end = Math.min(bytes.length, start + 45);
      while (end < bytes.length && (bytes[end] & 0xc0) === 0x80) end--;
      words.push(`=?${charset}?B?${bytes.subarray(start, end).toString('base64')}?=`);
      start = end;
    }
    return words.join('\r\n ');
  }
  let word = '';
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    if (b === 0x20) word += '_';
    else if (/[A-Za-z0-9!*+\-/]/.test(c)) word += c;
    else word += '=' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return `=?${charset}?Q?${word}?=`;
}

// "Name <addr>" with the display name encoded when needed.
export function address(display, charset = 'utf-8') {
  const m = /^(.*)<([^>]+)>\s*$/.exec(display);
  if (!m) return display;
  const name = m[1].trim().replace(/^"|"$/g, '');
  if (!name) return `<${m[2]}>`;
  if (isAscii(name)) return /[,.;:@()]/.test(name) ? `"${name}" <${m[2]}>` : `${name} <${m[2]}>`;
  return `${encodedWord(name, { charset })} <${m[2]}>`;
}

export function quotedPrintable(bytes) {
  const lines = [];
  let line = '';
  const push = (token) => {
    if (line.length + token.length > 75) {
      lines.push(line + '=');
      line = '';
    }
    line += token;
  };
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x0a) {
      lines.push(line);
      line = '';
      continue;
    }
    if (b === 0x0d) continue;
    const next = bytes[i + 1];
    const trailing = (b === 0x20 || b === 0x09) && (next === undefined || next === 0x0a || next === 0x0d);
    if ((b >= 33 && b <= 126 && b !== 61) || ((b === 0x20 || b === 0x09) && !trailing)) {
      push(String.fromCharCode(b));
    } else {
      push('=' + b.toString(16).toUpperCase().padStart(2, '0'));
    }
  }
  lines.push(line);
  return lines.join('\r\n');
}

export function base64Lines(bytes) {
  const b64 = Buffer.from(bytes).toString('base64');
  return b64.match(/.{1,76}/g)?.join('\r\n') ?? '';
}

function crlf(text) {
  return text.replace(/\r?\n/g, '\r\n');
}

// A body part: { type: "text/plain", charset, encoding, text } or { type, bytes, name, disposition }.
export function renderPart(part) {
  const headers = [];
  let body;
  if (part.raw !== undefined) {
    headers.push(`Content-Type: ${part.type}`);
    if (part.disposition) headers.push(`Content-Disposition: ${part.disposition}`);
    body = crlf(part.raw);
  } else if (part.parts) {
    const boundary = part.boundary;
    headers.push(`Content-Type: ${part.type};\r\n boundary="${boundary}"`);
    const chunks = [part.preamble ? crlf(part.preamble) + '\r\n' : ''];
    for (const p of part.parts) chunks.push(`--${boundary}\r\n${renderPart(p)}\r\n`);
    chunks.push(`--${boundary}--\r\n`);
    body = chunks.join('');
  } else {
    const bytes = part.bytes ?? encodeCharset(part.text, part.charset);
    const params = part.charset ? `; charset=${part.charsetQuoted ? `"${part.charset}"` : part.charset}` : '';
    const name = part.name ? `;\r\n name="${part.name}"` : '';
    headers.push(`Content-Type: ${part.type}${params}${name}`);
    headers.push(`Content-Transfer-Encoding: ${part.encoding}`);
    if (part.disposition) headers.push(`Content-Disposition: ${part.disposition}`);
    if (part.contentId) headers.push(`Content-ID: <${part.contentId}>`);
    if (part.encoding === 'base64') body = base64Lines(bytes);
    else if (part.encoding === 'quoted-printable') body = quotedPrintable(bytes);
    else body = crlf(bytes.toString('latin1'));
    body = Buffer.from(body, 'latin1').toString('latin1');
  }
  return headers.join('\r\n') + '\r\n\r\n' + body;
}

// Deterministic token for Message-IDs and boundaries.
export function token(seed, length = 16) {
  return createHash('sha256').update(seed).digest('hex').slice(0, length);
}
