// Checks examples/support-mail for internal consistency: the inbox, its gold labels, the ticket
// schema, the reply library, tasks.yaml and worker.yaml must agree with each other, and every
// extracted field in the gold must be evidence (verbatim text of the decoded mail body).
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "kolibri/json_schema_validator.h"
#include "support_mail/eml_text.h"

namespace kolibri::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kDir = KOLIBRI_SUPPORT_MAIL_DIR;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<json> ReadJsonl(const fs::path& path) {
  std::vector<json> lines;
  std::istringstream in(ReadFile(path));
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(json::parse(line));
  }
  return lines;
}

std::set<std::string> EnumOf(const json& schema, const std::string& def) {
  std::set<std::string> values;
  for (const auto& v : schema["$defs"][def]["enum"]) values.insert(v.get<std::string>());
  return values;
}

struct Reply {
  YAML::Node meta;
  std::string body;
};

// replies/<id>.md: "---\n<yaml>\n---\n<markdown>".
std::map<std::string, Reply> LoadReplies() {
  std::map<std::string, Reply> replies;
  for (const auto& entry : fs::directory_iterator(kDir / "replies")) {
    if (entry.path().extension() != ".md") continue;
    const std::string text = ReadFile(entry.path());
    EXPECT_TRUE(text.starts_with("---\n")) << entry.path();
    const size_t end = text.find("\n---\n", 4);
    if (end == std::string::npos) {
      ADD_FAILURE() << entry.path() << ": no closing front matter line";
      continue;
    }
    replies[entry.path().stem().string()] = {YAML::Load(text.substr(4, end - 4)),
                                             text.substr(end + 5)};
  }
  return replies;
}

std::set<std::string> LabelsOf(const YAML::Node& tasks, const std::string& task) {
  std::set<std::string> labels;
  for (const auto& t : tasks["tasks"]) {
    if (t["name"].as<std::string>() != task) continue;
    for (const auto& label : t["labels"]) labels.insert(label["name"].as<std::string>());
  }
  return labels;
}

struct Example {
  std::vector<json> gold;
  json schema;
  YAML::Node tasks;
  YAML::Node worker;
  std::map<std::string, Reply> replies;
};

const Example& Load() {
  static const Example example = [] {
    Example e;
    e.gold = ReadJsonl(kDir / "gold.jsonl");
    e.schema = json::parse(ReadFile(kDir / "ticket.schema.json"));
    e.tasks = YAML::LoadFile((kDir / "tasks.yaml").string());
    e.worker = YAML::LoadFile((kDir / "worker.yaml").string());
    e.replies = LoadReplies();
    return e;
  }();
  return example;
}

std::string Unbracket(std::string id) {
  if (id.size() >= 2 && id.front() == '<' && id.back() == '>') id = id.substr(1, id.size() - 2);
  return id;
}

TEST(SupportMailExample, InboxHasEightyMailsEachWithOneGoldLine) {
  std::set<std::string> files;
  for (const auto& entry : fs::directory_iterator(kDir / "inbox")) {
    if (entry.path().extension() == ".eml")
      files.insert("inbox/" + entry.path().filename().string());
  }
  EXPECT_GE(files.size(), 80u);
  std::set<std::string> gold_files;
  for (const json& g : Load().gold) {
    const std::string file = g["file"];
    EXPECT_TRUE(files.count(file)) << file << " is in gold.jsonl but not in inbox/";
    EXPECT_TRUE(gold_files.insert(file).second) << file << " has two gold lines";
  }
  EXPECT_EQ(gold_files, files);
}

TEST(SupportMailExample, MailsParseAndMessageIdsMatchGold) {
  const std::regex kMessageId(R"(<[^<>\s@]+@[^<>\s@]+>)");
  std::set<std::string> ids;
  for (const json& g : Load().gold) {
    const std::string file = g["file"];
    const std::string raw = ReadFile(kDir / file);
    EXPECT_LT(raw.size(), 20u * 1024) << file;
    auto mail = ParseEml(raw);
    ASSERT_TRUE(mail.ok()) << file << ": " << mail.status().ToString();
    const std::string message_id = mail->Header("Message-ID");
    EXPECT_TRUE(std::regex_match(message_id, kMessageId)) << file << ": " << message_id;
    EXPECT_EQ(Unbracket(message_id), g["message_id"]) << file;
    EXPECT_TRUE(ids.insert(g["message_id"]).second) << file << ": duplicate Message-ID";
    for (const char* header : {"Date", "From", "To", "Subject", "MIME-Version"}) {
      EXPECT_FALSE(mail->Header(header).empty()) << file << " lacks " << header;
    }
    auto subject = DecodeHeaderWords(mail->Header("Subject"));
    EXPECT_TRUE(subject.ok()) << file << ": " << subject.status().ToString();
    EXPECT_FALSE(mail->body_text.empty()) << file;
  }
}

TEST(SupportMailExample, EveryGoldFieldIsEvidenceInTheDecodedBody) {
  const json& field_schema = Load().schema["$defs"]["fields"]["properties"];
  size_t checked = 0;
  for (const json& g : Load().gold) {
    auto mail = ParseEml(ReadFile(kDir / g["file"].get<std::string>()));
    ASSERT_TRUE(mail.ok()) << g["file"];
    for (const auto& [name, value] : g["fields"].items()) {
      ASSERT_TRUE(field_schema.contains(name)) << g["file"] << ": unknown field " << name;
      if (value.is_null()) continue;
      EXPECT_TRUE(field_schema[name].value("x-kolibri-evidence", false)) << name;
      EXPECT_NE(mail->body_text.find(value.get<std::string>()), std::string::npos)
          << g["file"] << ": " << name << " '" << value.get<std::string>()
          << "' is not verbatim in the body";
      ++checked;
    }
  }
  EXPECT_GE(checked, 150u);
}

TEST(SupportMailExample, SchemaCompilesAndEveryGoldRecordValidates) {
  const Example& e = Load();
  auto validator = JsonSchemaValidator::Compile(e.schema);
  ASSERT_TRUE(validator.ok()) << validator.status().ToString();
  for (const json& g : e.gold) {
    json record = {
        {"message_id", g["message_id"]}, {"language", g["language"]}, {"category", g["category"]},
        {"priority", g["priority"]},     {"team", g["team"]},         {"fields", g["fields"]},
        {"reply_id", g["reply_id"]}};
    for (const auto& error : validator->Validate(record)) {
      ADD_FAILURE() << g["file"] << ": " << error.ToString();
    }
  }
  // The schema must reject what hostile mails ask for: labels outside the enums, invented ids.
  json bad = {{"message_id", "x@y"},
              {"language", "de"},
              {"category", "refund_now"},
              {"priority", "critical"},
              {"team", "billing"},
              {"reply_id", nullptr},
              {"fields",
               {{"order_id", "'; DROP TABLE tickets;--"},
                {"invoice_id", nullptr},
                {"customer_id", nullptr},
                {"customer_name", nullptr},
                {"product", nullptr},
                {"amount", nullptr},
                {"tracking_id", nullptr},
                {"case_id", nullptr}}}};
  EXPECT_EQ(validator->Validate(bad).size(), 3u);
}

TEST(SupportMailExample, GoldLabelsAreTheSchemaEnumsAndTheTaskLabels) {
  const Example& e = Load();
  const std::map<std::string, std::string> task_of = {
      {"category", "triage_category"}, {"priority", "triage_priority"}, {"team", "triage_team"}};
  for (const auto& [key, task] : task_of) {
    EXPECT_EQ(LabelsOf(e.tasks, task), EnumOf(e.schema, key))
        << task << " labels differ from the schema enum";
  }
  EXPECT_EQ(LabelsOf(e.tasks, "detect_language"),
            (std::set<std::string>{e.schema["properties"]["language"]["enum"].begin(),
                                   e.schema["properties"]["language"]["enum"].end()}));
  const std::set<std::string> topics = LabelsOf(e.tasks, "reply_select");
  ASSERT_TRUE(topics.count("none"));
  std::map<std::string, int> languages, hostile;
  std::set<std::string> categories;
  for (const json& g : e.gold) {
    for (const auto& [key, task] : task_of) {
      EXPECT_TRUE(LabelsOf(e.tasks, task).count(g[key].get<std::string>()))
          << g["file"] << ": " << key;
    }
    categories.insert(g["category"].get<std::string>());
    ++languages[g["language"].get<std::string>()];
    ++hostile[g["hostile"].get<bool>() ? "yes" : "no"];
    if (g["reply_id"].is_null()) continue;
    const std::string reply = g["reply_id"];
    const std::string suffix = "_" + g["language"].get<std::string>();
    ASSERT_TRUE(reply.ends_with(suffix))
        << g["file"] << ": reply " << reply << " is not in the mail's language";
    EXPECT_TRUE(topics.count(reply.substr(0, reply.size() - suffix.size())))
        << g["file"] << ": " << reply;
  }
  EXPECT_EQ(categories, EnumOf(e.schema, "category")) << "every category has gold examples";
  EXPECT_GE(languages["de"], 30);
  EXPECT_GE(languages["en"], 30);
  EXPECT_GE(hostile["yes"], 6);
}

// {{name}} is a required placeholder, {{name|fallback}} an optional one.
TEST(SupportMailExample, RepliesDeclareTheirPlaceholdersAndFitTheirGoldMails) {
  const Example& e = Load();
  EXPECT_GE(e.replies.size(), 20u);
  const json& fields = e.schema["$defs"]["fields"]["properties"];
  const std::set<std::string> categories = EnumOf(e.schema, "category");
  const std::set<std::string> topics = LabelsOf(e.tasks, "reply_select");
  const std::regex placeholder(R"(\{\{([a-z_]+)(\|[^}]*)?\}\})");
  for (const auto& [id, reply] : e.replies) {
    EXPECT_EQ(reply.meta["id"].as<std::string>(), id);
    const std::string language = reply.meta["language"].as<std::string>();
    EXPECT_TRUE(id.ends_with("_" + language)) << id;
    EXPECT_TRUE(topics.count(id.substr(0, id.size() - 3))) << id << " is no reply_select label";
    EXPECT_FALSE(reply.meta["title"].as<std::string>().empty());
    for (const auto& c : reply.meta["categories"])
      EXPECT_TRUE(categories.count(c.as<std::string>())) << id;
    std::set<std::string> required, optional, used_required, used_optional;
    for (const auto& n : reply.meta["placeholders"]["required"])
      required.insert(n.as<std::string>());
    for (const auto& n : reply.meta["placeholders"]["optional"])
      optional.insert(n.as<std::string>());
    for (std::sregex_iterator it(reply.body.begin(), reply.body.end(), placeholder), end; it != end;
         ++it) {
      ((*it)[2].matched ? used_optional : used_required).insert((*it)[1]);
      EXPECT_TRUE(fields.contains((*it)[1].str()))
          << id << ": {{" << (*it)[1] << "}} is no ticket field";
    }
    EXPECT_EQ(used_required, required) << id;
    EXPECT_EQ(used_optional, optional) << id;
  }
  for (const std::string& topic : topics) {
    if (topic == "none") continue;
    EXPECT_TRUE(e.replies.count(topic + "_de") && e.replies.count(topic + "_en")) << topic;
  }
  for (const json& g : e.gold) {
    if (g["reply_id"].is_null()) continue;
    const auto it = e.replies.find(g["reply_id"]);
    ASSERT_NE(it, e.replies.end()) << g["file"] << ": no reply " << g["reply_id"];
    bool fits_category = false;
    for (const auto& c : it->second.meta["categories"])
      fits_category |= c.as<std::string>() == g["category"];
    EXPECT_TRUE(fits_category) << g["file"] << ": " << it->first << " is not for " << g["category"];
    for (const auto& n : it->second.meta["placeholders"]["required"]) {
      EXPECT_FALSE(g["fields"][n.as<std::string>()].is_null())
          << g["file"] << ": " << it->first << " needs " << n.as<std::string>();
    }
  }
}

TEST(SupportMailExample, WorkerStepsUseKnownTasksAndQualityBarsNameSteps) {
  const Example& e = Load();
  std::set<std::string> task_names;
  for (const auto& t : e.tasks["tasks"]) {
    const std::string kind = t["kind"].as<std::string>();
    EXPECT_TRUE(kind == "classify" || kind == "extract") << t["name"];
    EXPECT_TRUE(task_names.insert(t["name"].as<std::string>()).second) << "duplicate task";
    EXPECT_TRUE(e.worker["models"][t["model"].as<std::string>()]) << t["name"] << ": unknown model";
    if (kind == "extract") {
      EXPECT_EQ(t["schema"].as<std::string>(), "ticket.schema.json#/$defs/fields");
    } else {
      EXPECT_GE(t["labels"].size(), 2u) << t["name"];
      for (const auto& label : t["labels"])
        EXPECT_FALSE(label["description"].as<std::string>().empty());
    }
  }
  std::set<std::string> steps;
  for (const auto& step : e.worker["steps"]) {
    EXPECT_TRUE(steps.insert(step["id"].as<std::string>()).second);
    if (step["task"]) {
      EXPECT_TRUE(task_names.count(step["task"].as<std::string>())) << step["id"];
    }
    for (const auto& tier : step["cascade"]) {
      EXPECT_TRUE(e.worker["models"][tier["tier"].as<std::string>()]) << step["id"];
    }
  }
  for (const auto& bar : e.worker["quality"]) {
    if (bar.second.IsMap()) {
      EXPECT_TRUE(steps.count(bar.first.as<std::string>())) << bar.first;
    }
  }
}

TEST(SupportMailExample, BrokenInboxIsListedAndReallyBroken) {
  std::set<std::string> listed;
  for (const json& item : ReadJsonl(kDir / "inbox-broken" / "expected.jsonl")) {
    listed.insert(item["file"].get<std::string>());
    EXPECT_FALSE(item["problem"].get<std::string>().empty());
  }
  std::set<std::string> present;
  for (const auto& entry : fs::directory_iterator(kDir / "inbox-broken")) {
    if (entry.path().extension() == ".eml") present.insert(entry.path().filename().string());
  }
  EXPECT_EQ(listed, present);
  // A strict reader rejects these; the others are readable but degenerate.
  for (const char* file : {"corrupt-boundary.eml", "latin1-no-charset.eml", "truncated.eml",
                           "not-an-email.eml", "bad-base64-body.eml", "unknown-charset.eml"}) {
    EXPECT_FALSE(ParseEml(ReadFile(kDir / "inbox-broken" / file)).ok()) << file;
  }
  auto empty = ParseEml(ReadFile(kDir / "inbox-broken" / "empty-body.eml"));
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->body_text.empty());
  auto no_id = ParseEml(ReadFile(kDir / "inbox-broken" / "missing-message-id.eml"));
  ASSERT_TRUE(no_id.ok());
  EXPECT_TRUE(no_id->Header("Message-ID").empty());
}

}  // namespace
}  // namespace kolibri::testing
