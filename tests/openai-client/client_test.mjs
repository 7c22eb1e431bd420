// The official `openai` npm package, unchanged, against `kolibri serve` at $KOLIBRI_URL.
// Exits non-zero on the first failed check.
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const client = new OpenAI({ baseURL: `${process.env.KOLIBRI_URL}/v1`, apiKey: 'unused', maxRetries: 0, timeout: 60000 });
const model = 'tiny';
const messages = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Where is my parcel?' },
];

async function check(name, fn) {
  await fn();
  console.log(`ok - ${name}`);
}

await check('models.list', async () => {
  const ids = [];
  for await (const m of client.models.list()) ids.push(m.id);
  assert.deepEqual(ids, [model]);
});

await check('chat.completions.create', async () => {
  const r = await client.chat.completions.create({ model, messages, max_tokens: 5, temperature: 0, seed: 1 });
  assert.equal(r.object, 'chat.completion');
  assert.equal(r.choices.length, 1);
  assert.equal(r.choices[0].message.role, 'assistant');
  assert.equal(typeof r.choices[0].message.content, 'string');
  assert.ok(['length', 'stop'].includes(r.choices[0].finish_reason));
  assert.ok(r.usage.prompt_tokens > 0 && r.usage.completion_tokens <= 5);
  assert.equal(r.usage.total_tokens, r.usage.prompt_tokens + r.usage.completion_tokens);
  assert.equal(typeof r.usage.prompt_tokens_details.cached_tokens, 'number');
});

await check('chat.completions.create stream with logprobs and usage', async () => {
  const stream = await client.chat.completions.create({
    model, messages, max_tokens: 6, stream: true, stream_options: { include_usage: true },
    logprobs: true, top_logprobs: 2, ignore_eos: true,
  });
  let text = '', tokens = 0, finish = null, usage = null;
  for await (const chunk of stream) {
    assert.equal(chunk.object, 'chat.completion.chunk');
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) continue;
    text += choice.delta.content ?? '';
    for (const t of choice.logprobs?.content ?? []) {
      assert.ok(t.logprob <= 0);
      assert.equal(t.top_logprobs.length, 2);
      tokens++;
    }
    if (choice.finish_reason) finish = choice.finish_reason;
  }
  assert.equal(finish, 'length');
  assert.equal(tokens, 6);
  assert.ok(usage && usage.completion_tokens === 6);
  assert.equal(typeof text, 'string');
});

await check('completions.create (plain and streamed)', async () => {
  const r = await client.completions.create({ model, prompt: 'Once upon a time', max_tokens: 4, temperature: 0 });
  assert.equal(r.object, 'text_completion');
  assert.equal(typeof r.choices[0].text, 'string');
  const stream = await client.completions.create({ model, prompt: 'Once', max_tokens: 3, stream: true, ignore_eos: true });
  let chunks = 0;
  for await (const c of stream) if (c.choices[0]?.text) chunks++;
  assert.ok(chunks >= 1);
});

await check('response_format json_schema gives JSON that matches the schema', async () => {
  const schema = {
    type: 'object',
    properties: { category: { enum: ['billing', 'technical'] }, urgent: { type: 'boolean' } },
    required: ['category', 'urgent'], additionalProperties: false,
  };
  const r = await client.chat.completions.create({
    model, messages, max_tokens: 60, temperature: 0,
    response_format: { type: 'json_schema', json_schema: { name: 'triage', schema, strict: true } },
  });
  const answer = JSON.parse(r.choices[0].message.content);
  assert.deepEqual(Object.keys(answer), ['category', 'urgent']);
  assert.ok(['billing', 'technical'].includes(answer.category));
  assert.equal(typeof answer.urgent, 'boolean');
});

await check('errors surface as APIError with status and param', async () => {
  const cases = [
    [{ model, messages: [] }, 400, 'messages'],
    [{ model, messages, max_tokens: 0 }, 400, 'max_tokens'],
    [{ model, messages, n: 2 }, 400, 'n'],
    [{ model, messages, response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'array', minItems: 3, maxItems: 1 } } } },
      400, 'response_format.json_schema.schema'],
  ];
  for (const [body, status, param] of cases) {
    await assert.rejects(client.chat.completions.create(body), (err) => {
      assert.ok(err instanceof OpenAI.APIError, `not an APIError: ${err}`);
      assert.ok(err instanceof OpenAI.BadRequestError);
      assert.equal(err.status, status);
      assert.equal(err.param, param);
      assert.equal(err.type, 'invalid_request_error');
      assert.ok(err.message.length > 0);
      return true;
    });
  }
});

console.log('all openai client checks passed');
