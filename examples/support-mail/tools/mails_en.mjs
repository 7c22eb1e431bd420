// English customer mails (hand-written). Fields in `gold.f` must occur verbatim in the body.
export const kMailsEn = [
  {
    slug: 'where-is-my-order', lang: 'en',
    from: 'Emily Carter <emily.carter@example.com>',
    subject: 'Where is my order?',
    text: `Hi there,

I ordered a CrispAir XL air fryer last week (order NL-24030761) and the tracking page has said "label created" for five days now. Could you check what's going on?

Thanks,
Emily Carter`,
    gold: { cat: 'order_status', prio: 'normal', team: 'fulfillment', reply: 'order_status_en',
      f: { product: 'CrispAir XL air fryer', order_id: 'NL-24030761', customer_name: 'Emily Carter' } },
  },
  {
    slug: 'tracking-one-liner', lang: 'en',
    from: 'raj.patel@example.net <raj.patel@example.net>',
    subject: 'tracking?',
    text: `any tracking number for NL-24031290 yet?

Sent from my iPhone`,
    gold: { cat: 'order_status', prio: 'low', team: 'fulfillment', reply: 'order_status_en',
      f: { order_id: 'NL-24031290' } },
  },
  {
    slug: 'damaged-fridge', lang: 'en',
    from: 'Michael O\'Brien <mobrien@example.ie>',
    subject: 'Fridge arrived dented',
    html: true,
    text: `Hello,

My Frostwerk KG 320 fridge was delivered this morning and the left door has a large dent, clearly from transport - the box was crushed on that side too. I took photos before the driver left and he signed the damage note.

Order number: NL-24030533

I'd like a replacement please, not a refund.

Kind regards,
Michael O'Brien`,
    gold: { cat: 'delivery_problem', prio: 'high', team: 'fulfillment', reply: 'delivery_damaged_en',
      f: { product: 'Frostwerk KG 320', order_id: 'NL-24030533', customer_name: 'Michael O\'Brien' } },
  },
  {
    slug: 'return-blender', lang: 'en',
    from: 'Sarah Johnson <sarah.j@example.org>',
    subject: 'Returning a blender',
    text: `Hello Nordlicht,

I'd like to return the Mixwerk 1200 blender I bought (order NL-24030127). It's much louder than I expected and honestly I don't use it. It's been 11 days. Do I need to print a label or can you email one?

Best,
Sarah Johnson`,
    gold: { cat: 'return_refund', prio: 'low', team: 'returns', reply: 'return_instructions_en',
      f: { product: 'Mixwerk 1200', order_id: 'NL-24030127', customer_name: 'Sarah Johnson' } },
  },
  {
    slug: 'refund-not-received', lang: 'en',
    from: 'David Miller <david.miller@example.com>',
    subject: 'Refund still missing',
    text: `Hi,

You confirmed receipt of my returned vacuum robot on March 1st (return RMA-418342) but I still haven't seen the refund of EUR 429.00 on my card. It's been two weeks. Please look into it.

David Miller`,
    gold: { cat: 'return_refund', prio: 'normal', team: 'billing', reply: 'refund_status_en',
      f: { case_id: 'RMA-418342', amount: 'EUR 429.00', customer_name: 'David Miller' } },
  },
  {
    slug: 'invoice-vat', lang: 'en',
    from: 'Accounts Payable <ap@lindqvist-design.example>',
    subject: 'Invoice RE-2403208 - VAT number missing',
    text: `Dear Sir or Madam,

The invoice RE-2403208 you sent us does not show our VAT ID (SE556677889901), which we provided at checkout. Without it we cannot process the payment. Please issue a corrected invoice.

Regards,
Karin Lindqvist
Accounts Payable | Lindqvist Design AB

CONFIDENTIALITY NOTICE: This e-mail and any attachments are intended solely for the addressee. If you have received it in error, please notify the sender and delete it.`,
    gold: { cat: 'invoice_billing', prio: 'normal', team: 'billing', reply: 'invoice_copy_en',
      f: { invoice_id: 'RE-2403208', customer_name: 'Karin Lindqvist' } },
  },
  {
    slug: 'charged-twice', lang: 'en',
    from: 'Chris Thompson <cthompson@example.com>',
    subject: 'charged twice??',
    text: `hey so my bank shows two payments of 89.99 EUR for the same toaster order NL-24031333. pls fix and refund one of them. thx chris thompson`,
    gold: { cat: 'invoice_billing', prio: 'high', team: 'billing', reply: 'payment_double_charge_en',
      f: { amount: '89.99 EUR', order_id: 'NL-24031333', customer_name: 'chris thompson' } },
  },
  {
    slug: 'washer-error-warranty', lang: 'en',
    from: 'Laura Schmidt <laura.schmidt@example.com>',
    subject: 'Washing machine error code F21',
    text: `Hello,

my WM 8 Eco washing machine (bought 14 months ago) stops mid-cycle and shows F21. The water does not drain. I cleaned the pump filter as the manual says, didn't help. It should still be under the 2-year warranty. Can you send a technician?

Serial number: WM8E-2211-004873

Thanks
Laura Schmidt`,
    gold: { cat: 'warranty_repair', prio: 'normal', team: 'technical_service', reply: 'warranty_claim_en',
      f: { product: 'WM 8 Eco washing machine', customer_name: 'Laura Schmidt' } },
  },
  {
    slug: 'locked-out', lang: 'en',
    from: 'Tom Baker <tom.baker@example.co.uk>',
    subject: 'Account locked',
    text: `Hi, my account got locked after too many login attempts and the unlock link in your email says "expired". Customer number KD-377105. Can you unlock it? Tom Baker`,
    gold: { cat: 'account_access', prio: 'normal', team: 'customer_care', reply: 'password_reset_en',
      f: { customer_id: 'KD-377105', customer_name: 'Tom Baker' } },
  },
  {
    slug: 'hacked-account', lang: 'en',
    from: 'Priya Sharma <priya.sharma@example.in>',
    subject: 'Someone ordered on my account!',
    text: `Hello,

I just got an order confirmation for a Barista Pro 3 coffee machine that I did NOT order, shipped to an address in a city I have never lived in. I think someone got into my account. I changed my password but please stop that order immediately and check my account KD-290014.

The order number in the confirmation is NL-24031702.

Priya Sharma`,
    gold: { cat: 'account_access', prio: 'urgent', team: 'customer_care', reply: null,
      f: { product: 'Barista Pro 3 coffee machine', customer_id: 'KD-290014', order_id: 'NL-24031702', customer_name: 'Priya Sharma' } },
  },
  {
    slug: 'dishwasher-question', lang: 'en',
    from: 'Hannah Lee <hannah.lee@example.com>',
    subject: 'GS-45 Silent - can it be integrated?',
    html: true,
    text: `Hi,

quick question before I buy: can the GS-45 Silent dishwasher be fully integrated behind a kitchen cabinet door, or is it freestanding only? And how loud is it in eco mode?

Thanks!
Hannah`,
    gold: { cat: 'product_question', prio: 'low', team: 'customer_care', reply: 'product_info_en',
      f: { product: 'GS-45 Silent dishwasher' } },
  },
  {
    slug: 'descale-how', lang: 'en',
    from: 'Oliver Grant <ogrant@example.net>',
    subject: 'How do I descale the Barista Pro 3?',
    text: `My Barista Pro 3 says "descale" but the manual I have is in German only. What are the steps in English? And which descaler should I use?

Oliver`,
    gold: { cat: 'product_question', prio: 'low', team: 'technical_service', reply: 'product_info_en',
      f: { product: 'Barista Pro 3' } },
  },
  {
    slug: 'angry-rant-delivery', lang: 'en',
    from: 'Gary Wilson <gary.wilson@example.com>',
    subject: 'Worst delivery experience EVER',
    text: `I have been a customer for years but this is it. I took a day off work - an unpaid day, mind you - because your carrier gave me a delivery window of 8am to 6pm for my new dryer. Nobody came. No call, no text, nothing. At 7pm I got an email saying "delivery attempt failed, recipient not at home". I WAS AT HOME. ALL DAY.

Now the tracking (1Z999AA10123456784) says the next attempt is "to be scheduled". Scheduled by whom? When? I called twice and got two different answers.

Order NL-24030877, TK 8 heat pump dryer, paid 699.00 EUR in full upfront. I want a fixed delivery date this week or I cancel the whole thing and you can keep your dryer.

Gary Wilson`,
    gold: { cat: 'delivery_problem', prio: 'high', team: 'fulfillment', reply: 'delivery_delayed_en',
      f: { tracking_id: '1Z999AA10123456784', order_id: 'NL-24030877', product: 'TK 8 heat pump dryer', amount: '699.00 EUR', customer_name: 'Gary Wilson' } },
  },
  {
    slug: 'cancel-order', lang: 'en',
    from: 'Megan Clarke <megan.clarke@example.com>',
    subject: 'Please cancel order NL-24031811',
    text: `Hi, please cancel order NL-24031811, I found the same kettle cheaper locally. Sorry! Megan Clarke`,
    gold: { cat: 'order_status', prio: 'normal', team: 'fulfillment', reply: 'order_cancel_en',
      f: { order_id: 'NL-24031811', customer_name: 'Megan Clarke' } },
  },
  {
    slug: 'kettle-sparks', lang: 'en',
    from: 'Ahmed Hassan <ahmed.hassan@example.com>',
    subject: 'Kettle sparking at the base - safety issue',
    text: `Hello,

this morning my Aqua Boil 1.7 kettle made a loud crack and there were sparks between the kettle and the base. The kitchen fuse tripped. There is a burn mark on the base now. My kids use this kettle too, so I am quite worried - is there a recall?

Order NL-24012245.

Ahmed Hassan`,
    gold: { cat: 'warranty_repair', prio: 'urgent', team: 'technical_service', reply: 'safety_stop_use_en',
      f: { product: 'Aqua Boil 1.7 kettle', order_id: 'NL-24012245', customer_name: 'Ahmed Hassan' } },
  },
  {
    slug: 'missing-part', lang: 'en',
    from: 'Jessica Moore <jessica.moore@example.org>',
    subject: 'Missing part in box',
    text: `Hi,
the Saugfix R7 robot vacuum arrived but the charging dock is missing from the box. Order NL-24031049. Can you send it separately?
Thanks, Jessica Moore`,
    gold: { cat: 'delivery_problem', prio: 'normal', team: 'fulfillment', reply: 'delivery_incomplete_en',
      f: { product: 'Saugfix R7 robot vacuum', order_id: 'NL-24031049', customer_name: 'Jessica Moore' } },
  },
  {
    slug: 'repair-how-long', lang: 'en',
    from: 'Robert King <robert.king@example.com>',
    subject: 'Repair RMA-417960 - any news?',
    text: `Hello,

I sent in my coffee machine for repair under case RMA-417960 almost four weeks ago. Your website said 10 working days. Could you tell me where it is?

Regards,
Robert King`,
    gold: { cat: 'warranty_repair', prio: 'normal', team: 'technical_service', reply: 'repair_status_en',
      f: { case_id: 'RMA-417960', customer_name: 'Robert King' } },
  },
  {
    slug: 'delete-account', lang: 'en',
    from: 'Sophie Turner <sophie.turner@example.co.uk>',
    subject: 'Delete my account',
    text: `Please delete my account and all my personal data (GDPR Art. 17). I don't want to receive any more emails from you.

Sophie Turner`,
    gold: { cat: 'account_access', prio: 'normal', team: 'customer_care', reply: 'account_delete_en',
      f: { customer_name: 'Sophie Turner' } },
  },
  {
    slug: 'praise', lang: 'en',
    from: 'Linda Evans <linda.evans@example.com>',
    subject: 'Thank you!',
    text: `Just wanted to say your support team (Mr. Kowalski on the phone) was incredibly helpful with my dishwasher setup yesterday. Five stars.

Linda`,
    gold: { cat: 'complaint_other', prio: 'low', team: 'customer_care', reply: 'feedback_thanks_en', f: {} },
  },
  {
    slug: 'no-order-number', lang: 'en',
    from: 'Ben Foster <ben.foster@example.net>',
    subject: 'order not arrived',
    text: `Hi I ordered a microwave about 10 days ago and it hasnt arrived. I deleted the confirmation email by accident so I don't have the order number, sorry. My name is Ben Foster, the order was paid with PayPal.`,
    gold: { cat: 'order_status', prio: 'normal', team: 'fulfillment', reply: 'ask_order_number_en',
      f: { customer_name: 'Ben Foster' } },
  },
  {
    slug: 'complaint-marketing', lang: 'en',
    from: 'Paul Adams <paul.adams@example.com>',
    subject: 'Stop the spam',
    text: `I unsubscribed from your newsletter three times and I still get two emails a day from you. This is ridiculous and probably illegal. Stop it.

P. Adams`,
    gold: { cat: 'complaint_other', prio: 'normal', team: 'customer_care', reply: 'complaint_ack_en', f: {} },
  },
  {
    slug: 'wrong-item', lang: 'en',
    from: 'Grace Hall <grace.hall@example.com>',
    subject: 'Wrong item delivered',
    text: `Hello,

I ordered the Dampfstar DS 30 steam iron (order NL-24031564) but received a Toastmeister T2 toaster instead. Please arrange an exchange - I need the iron, not a toaster :)

Grace Hall`,
    gold: { cat: 'delivery_problem', prio: 'normal', team: 'fulfillment', reply: 'delivery_incomplete_en',
      f: { product: 'Dampfstar DS 30 steam iron', order_id: 'NL-24031564', customer_name: 'Grace Hall' } },
  },
];
