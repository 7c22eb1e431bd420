#include "kolibri/tier0_classifier.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <thread>

#include "router/split_mix.h"

namespace kolibri {
namespace {

// Texts of filler words plus one keyword of their label; with probability `noise`/100 the
// keyword belongs to another label, with probability `blank`/100 there is none (so the data
// is not perfectly separable and confidence should vary).
std::vector<LabelledText> Synthetic(size_t labels, size_t per_label, uint64_t seed, int noise = 0,
                                    int blank = 0) {
  static const char* kFiller[] = {"please", "the",  "my",    "a",     "can",
                                  "you",    "help", "with",  "today", "again",
                                  "now",    "some", "thing", "about", "it"};
  router::SplitMix rng(seed);
  std::vector<LabelledText> out;
  for (size_t l = 0; l < labels; ++l) {
    for (size_t i = 0; i < per_label; ++i) {
      std::string text;
      for (int w = 0; w < 4; ++w) text += std::string(kFiller[rng.Next() % 15]) + " ";
      size_t key_label = l;
      if (static_cast<int>(rng.Next() % 100) < noise) key_label = rng.Next() % labels;
      if (static_cast<int>(rng.Next() % 100) >= blank) {
        text += "topic" + std::to_string(key_label) + "word" + std::to_string(rng.Next() % 3);
      }
      out.push_back({text, "label" + std::to_string(l)});
    }
  }
  return out;
}

double Accuracy(const Tier0Classifier& model, const std::vector<LabelledText>& data) {
  size_t right = 0;
  for (const LabelledText& ex : data)
    right += model.labels()[model.Predict(ex.text).top] == ex.label;
  return static_cast<double>(right) / static_cast<double>(data.size());
}

Tier0TrainOptions Small() {
  Tier0TrainOptions o;
  o.features.hash_bits = 16;
  o.epochs = 10;
  return o;
}

TEST(Tier0ClassifierTest, LearnsSeparableData) {
  auto model = Tier0Classifier::Train(Synthetic(5, 40, 1), Small());
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ(model->labels().size(), 5u);
  EXPECT_GE(Accuracy(*model, Synthetic(5, 20, 99)), 0.98);
  const Tier0Prediction p = model->Predict("please help with topic3word1");
  EXPECT_EQ(model->labels()[p.top], "label3");
  EXPECT_NEAR(std::accumulate(p.probabilities.begin(), p.probabilities.end(), 0.0), 1.0, 1e-5);
  EXPECT_GT(p.margin, 0.0f);
  EXPECT_GE(p.entropy, 0.0f);
  EXPECT_LE(p.entropy, std::log(5.0f) + 1e-5f);
  EXPECT_FALSE(p.escalate);
  EXPECT_GT(p.known_features, 0u);
  // No evidence, no answer: empty or entirely unknown input escalates.
  for (const char* text : {"", "   !!! ", "zzqx vvwj"}) {
    const Tier0Prediction none = model->Predict(text);
    EXPECT_TRUE(none.escalate) << text;
    EXPECT_NEAR(std::accumulate(none.probabilities.begin(), none.probabilities.end(), 0.0), 1.0,
                1e-5);
  }
}

TEST(Tier0ClassifierTest, CalibrationDoesNotRaiseHeldOutNll) {
  Tier0TrainOptions o = Small();
  o.epochs = 30;  // long training on noisy labels makes the raw model overconfident
  Tier0TrainReport report;
  auto model = Tier0Classifier::Train(Synthetic(4, 100, 2, 20, 20), o, &report);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_LT(report.holdout_nll_calibrated, report.holdout_nll_raw);
  EXPECT_NE(report.temperature, 1.0);
  EXPECT_EQ(report.holdout_examples, 80u);
  EXPECT_GT(report.threshold, 0.0);
  EXPECT_LT(report.holdout_coverage, 1.0);
  EXPECT_GT(report.holdout_answered_accuracy, report.holdout_accuracy);
}

TEST(Tier0ClassifierTest, TrainingIsDeterministic) {
  const auto data = Synthetic(3, 30, 4, 10);
  auto a = Tier0Classifier::Train(data, Small());
  auto b = Tier0Classifier::Train(data, Small());
  Tier0TrainOptions other = Small();
  other.seed = 2;
  auto c = Tier0Classifier::Train(data, other);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->Serialize(), b->Serialize());
  EXPECT_NE(a->Serialize(), c->Serialize());
  EXPECT_EQ(a->fingerprint(), b->fingerprint());
  EXPECT_NE(a->fingerprint(), c->fingerprint());
}

TEST(Tier0ClassifierTest, SaveLoadRoundTrip) {
  auto model = Tier0Classifier::Train(Synthetic(3, 30, 5, 20), Small());
  ASSERT_TRUE(model.ok());
  const std::string path =
      (std::filesystem::temp_directory_path() / "kolibri_tier0_rt.bin").string();
  ASSERT_TRUE(model->Save(path).ok());
  auto loaded = Tier0Classifier::Load(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->labels(), model->labels());
  EXPECT_EQ(loaded->temperature(), model->temperature());
  EXPECT_EQ(loaded->threshold(), model->threshold());
  EXPECT_EQ(loaded->Serialize(), model->Serialize());
  EXPECT_EQ(loaded->fingerprint(), model->fingerprint());
  EXPECT_EQ(loaded->fingerprint().size(), 3u + 16u);
  for (const char* text :
       {"topic1word2 now", "", "unrelated words entirely", "topic0word0 topic2word1"}) {
    EXPECT_EQ(loaded->Predict(text).probabilities, model->Predict(text).probabilities) << text;
  }
  std::filesystem::remove(path);
}

TEST(Tier0ClassifierTest, CorruptFilesGiveClearErrors) {
  auto model = Tier0Classifier::Train(Synthetic(2, 20, 6), Small());
  ASSERT_TRUE(model.ok());
  const std::string good = model->Serialize();

  auto missing = Tier0Classifier::Load("/nonexistent/model.t0");
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);

  auto magic = Tier0Classifier::Deserialize("GGUF and more bytes", "m");
  EXPECT_EQ(magic.status().code(), ErrorCode::kCorrupt);
  EXPECT_NE(magic.status().message().find("bad magic"), std::string::npos);

  auto truncated = Tier0Classifier::Deserialize(good.substr(0, good.size() / 2), "t");
  EXPECT_EQ(truncated.status().code(), ErrorCode::kCorrupt);

  std::string flipped = good;
  flipped[good.size() / 2] ^= 0x40;
  auto bad_sum = Tier0Classifier::Deserialize(flipped, "f");
  EXPECT_EQ(bad_sum.status().code(), ErrorCode::kCorrupt);
  EXPECT_NE(bad_sum.status().message().find("checksum"), std::string::npos);

  std::string newer = good;
  newer[8] = 9;  // format version 9
  auto version = Tier0Classifier::Deserialize(newer, "v");
  EXPECT_EQ(version.status().code(), ErrorCode::kUnsupported);
  EXPECT_NE(version.status().message().find("newer"), std::string::npos);

  auto empty = Tier0Classifier::Deserialize("", "e");
  EXPECT_EQ(empty.status().code(), ErrorCode::kCorrupt);
}

// Every header byte altered, with the checksum made to match again: Deserialize rejects the
// file or yields a usable model, never crashes or allocates unboundedly (run under ASan).
TEST(Tier0ClassifierTest, AlteredHeadersWithValidChecksumAreValidated) {
  auto model = Tier0Classifier::Train(Synthetic(3, 10, 9), Small());
  ASSERT_TRUE(model.ok());
  const std::string good = model->Serialize();
  auto reseal = [](std::string bytes) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i + 8 < bytes.size(); ++i) {
      h = (h ^ static_cast<unsigned char>(bytes[i])) * 1099511628211ull;
    }
    std::memcpy(bytes.data() + bytes.size() - 8, &h, 8);
    return bytes;
  };
  ASSERT_TRUE(Tier0Classifier::Deserialize(reseal(good), "resealed").ok());
  size_t rejected = 0;
  for (size_t pos = 8; pos < 80; ++pos) {
    for (unsigned char delta : {0x01, 0x80, 0xFF}) {
      std::string bad = good;
      bad[pos] = static_cast<char>(static_cast<unsigned char>(bad[pos]) ^ delta);
      auto r = Tier0Classifier::Deserialize(reseal(bad), "altered");
      if (!r.ok()) {
        ++rejected;
        EXPECT_TRUE(r.status().code() == ErrorCode::kCorrupt ||
                    r.status().code() == ErrorCode::kUnsupported);
      } else {
        EXPECT_EQ(r->Predict("topic1word1").probabilities.size(), r->labels().size());
      }
    }
  }
  EXPECT_GT(rejected, 100u);
}

TEST(Tier0ClassifierTest, ConcurrentPredictionsMatchSerialOnes) {
  auto model = Tier0Classifier::Train(Synthetic(4, 30, 10, 20), Small());
  ASSERT_TRUE(model.ok());
  const auto texts = Synthetic(4, 25, 11, 30, 10);
  std::vector<std::vector<float>> serial;
  for (const LabelledText& ex : texts) serial.push_back(model->Predict(ex.text).probabilities);
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      Tier0Prediction p;
      for (int round = 0; round < 5; ++round) {
        for (size_t i = 0; i < texts.size(); ++i) {
          model->Predict(texts[i].text, &p);
          mismatches[t] += p.probabilities != serial[i];
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

TEST(Tier0ClassifierTest, BadTrainingInput) {
  std::vector<LabelledText> one_label = {{"a", "x"}, {"b", "x"}, {"c", "x"}};
  auto single = Tier0Classifier::Train(one_label, Small());
  EXPECT_EQ(single.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(single.status().message().find("two distinct labels"), std::string::npos);

  auto none = Tier0Classifier::Train({}, Small());
  EXPECT_EQ(none.status().code(), ErrorCode::kInvalidArgument);

  auto singletons = Tier0Classifier::Train({{"a", "x"}, {"b", "y"}}, Small());
  EXPECT_EQ(singletons.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(singletons.status().message().find("hold out"), std::string::npos);

  Tier0TrainOptions oos = Small();
  oos.oos_label = "oos";
  auto no_oos = Tier0Classifier::Train(Synthetic(2, 10, 7), oos);
  EXPECT_EQ(no_oos.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(no_oos.status().message().find("'oos'"), std::string::npos);

  Tier0TrainOptions bits = Small();
  bits.features.hash_bits = 30;
  EXPECT_EQ(Tier0Classifier::Train(Synthetic(2, 10, 7), bits).status().code(),
            ErrorCode::kInvalidArgument);
}

TEST(Tier0ClassifierTest, OutOfScopeLabelEscalates) {
  auto data = Synthetic(3, 40, 8);
  for (int i = 0; i < 40; ++i)
    data.push_back({"weather forecast rain sun number" + std::to_string(i % 4), "oos"});
  Tier0TrainOptions o = Small();
  o.oos_label = "oos";
  auto model = Tier0Classifier::Train(data, o);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ(model->oos_label(), "oos");
  const Tier0Prediction p = model->Predict("rain and sun forecast");
  EXPECT_EQ(model->labels()[p.top], "oos");
  EXPECT_TRUE(p.escalate);
  EXPECT_FALSE(model->Predict("can you help topic1word0").escalate);
  // A prediction below the threshold escalates too.
  Tier0Classifier strict = *model;
  strict.set_threshold(1.01);
  EXPECT_TRUE(strict.Predict("can you help topic1word0").escalate);
}

}  // namespace
}  // namespace kolibri
