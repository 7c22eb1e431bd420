// HTML -> main text with gumbo. Chrome is recognised by element (nav, header, footer,
// aside, ...) and by ARIA role, since many sites mark navigation only with role=.
#include <gumbo.h>

#include <cstring>
#include <string>

#include "ingest/extracted_text.h"
#include "ingest/text_builder.h"

namespace kolibri::ingest {
namespace {

bool IsChrome(const GumboElement& e) {
  switch (e.tag) {
    case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE: case GUMBO_TAG_NAV: case GUMBO_TAG_HEADER:
    case GUMBO_TAG_FOOTER: case GUMBO_TAG_ASIDE: case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_TEMPLATE: case GUMBO_TAG_FORM: case GUMBO_TAG_IFRAME: case GUMBO_TAG_SVG:
    case GUMBO_TAG_BUTTON: case GUMBO_TAG_SELECT: case GUMBO_TAG_HEAD: case GUMBO_TAG_MENU:
      return true;
    default: break;
  }
  const GumboAttribute* role = gumbo_get_attribute(&e.attributes, "role");
  if (role != nullptr) {
    for (const char* r : {"navigation", "banner", "contentinfo", "complementary", "search"}) {
      if (std::strcmp(role->value, r) == 0) return true;
    }
  }
  const GumboAttribute* hidden = gumbo_get_attribute(&e.attributes, "hidden");
  return hidden != nullptr;
}

bool IsBlock(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_P: case GUMBO_TAG_DIV: case GUMBO_TAG_SECTION: case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_MAIN: case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_UL: case GUMBO_TAG_OL:
    case GUMBO_TAG_DL: case GUMBO_TAG_TABLE: case GUMBO_TAG_FIGURE: case GUMBO_TAG_HR:
    case GUMBO_TAG_ADDRESS: case GUMBO_TAG_BODY:
      return true;
    default: return false;
  }
}

bool IsLine(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_LI: case GUMBO_TAG_TR: case GUMBO_TAG_DT: case GUMBO_TAG_DD:
    case GUMBO_TAG_BR: case GUMBO_TAG_CAPTION: case GUMBO_TAG_FIGCAPTION:
      return true;
    default: return false;
  }
}

int HeadingLevel(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_H1: return 1;
    case GUMBO_TAG_H2: return 2;
    case GUMBO_TAG_H3: return 3;
    case GUMBO_TAG_H4: return 4;
    case GUMBO_TAG_H5: return 5;
    case GUMBO_TAG_H6: return 6;
    default: return 0;
  }
}

void CollectText(const GumboNode* node, std::string* out) {
  if (node->type == GUMBO_NODE_TEXT || node->type == GUMBO_NODE_WHITESPACE ||
      node->type == GUMBO_NODE_CDATA) {
    out->append(node->v.text.text);
    out->push_back(' ');
    return;
  }
  if (node->type != GUMBO_NODE_ELEMENT || IsChrome(node->v.element)) return;
  const GumboVector& children = node->v.element.children;
  for (unsigned i = 0; i < children.length; ++i) {
    CollectText(static_cast<const GumboNode*>(children.data[i]), out);
  }
}

void Walk(const GumboNode* node, TextBuilder* b) {
  if (node->type == GUMBO_NODE_TEXT || node->type == GUMBO_NODE_CDATA) {
    b->AppendInline(node->v.text.text);
    return;
  }
  if (node->type == GUMBO_NODE_WHITESPACE) {
    b->AppendInline(" ");
    return;
  }
  if (node->type != GUMBO_NODE_ELEMENT) return;
  const GumboElement& e = node->v.element;
  if (IsChrome(e)) return;
  if (const int level = HeadingLevel(e.tag); level > 0) {
    std::string heading;
    CollectText(node, &heading);
    b->AppendHeading(heading, level);
    return;
  }
  if (e.tag == GUMBO_TAG_PRE) {
    std::string pre;
    CollectText(node, &pre);
    b->AppendPreformatted(pre);
    return;
  }
  const bool block = IsBlock(e.tag);
  const bool line = IsLine(e.tag);
  if (block) b->ParagraphBreak();
  if (line) b->LineBreak();
  if (e.tag == GUMBO_TAG_TD || e.tag == GUMBO_TAG_TH) b->AppendInline(" ");
  for (unsigned i = 0; i < e.children.length; ++i) {
    Walk(static_cast<const GumboNode*>(e.children.data[i]), b);
  }
  if (block) b->ParagraphBreak();
  if (line) b->LineBreak();
}

// The first element with one of `tags` in document order, outside chrome.
const GumboNode* FindFirst(const GumboNode* node, std::initializer_list<GumboTag> tags) {
  if (node->type != GUMBO_NODE_ELEMENT) return nullptr;
  for (GumboTag t : tags) {
    if (node->v.element.tag == t) return node;
  }
  if (IsChrome(node->v.element) && node->v.element.tag != GUMBO_TAG_HEAD) return nullptr;
  const GumboVector& children = node->v.element.children;
  for (unsigned i = 0; i < children.length; ++i) {
    if (const GumboNode* f = FindFirst(static_cast<const GumboNode*>(children.data[i]), tags)) {
      return f;
    }
  }
  return nullptr;
}

}  // namespace

ExtractedText HtmlToText(std::string_view html) {
  const std::string utf8 = ToUtf8(html);
  GumboOutput* output = gumbo_parse_with_options(&kGumboDefaultOptions, utf8.data(), utf8.size());
  ExtractedText result;
  if (const GumboNode* title = FindFirst(output->root, {GUMBO_TAG_TITLE})) {
    std::string raw;
    const GumboVector& children = title->v.element.children;
    for (unsigned i = 0; i < children.length; ++i) {
      const auto* child = static_cast<const GumboNode*>(children.data[i]);
      if (child->type == GUMBO_NODE_TEXT) raw.append(child->v.text.text);
    }
    TextBuilder t;
    t.AppendInline(raw);
    result.title = t.TakeText();
  }
  const GumboNode* main = FindFirst(output->root, {GUMBO_TAG_MAIN});
  if (main == nullptr) main = FindFirst(output->root, {GUMBO_TAG_ARTICLE});
  if (main == nullptr) main = FindFirst(output->root, {GUMBO_TAG_BODY});
  TextBuilder builder;
  if (main != nullptr) Walk(main, &builder);
  result.text = builder.TakeText();
  result.headings = builder.TakeHeadings();
  if (result.title.empty() && !result.headings.empty()) {
    const Heading& h = result.headings.front();
    result.title = result.text.substr(h.begin, h.end - h.begin);
  }
  gumbo_destroy_output(&kGumboDefaultOptions, output);
  return result;
}

}  // namespace kolibri::ingest
