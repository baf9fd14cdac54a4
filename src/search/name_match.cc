// The name scorer and its search (needle/name_match.h). The formula and the
// bound are in docs/scorers.md and docs/search.md.
#include "needle/name_match.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "needle/normalize.h"
#include "needle/processor.h"
#include "search/top_k.h"
#include "text/utf8.h"

namespace needle {

namespace {

bool IsWordSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// Chinese and Japanese are written without spaces: each Han character and
// each kana is a word of its own.
bool IsCharacterWord(char32_t c) {
  return (c >= 0x3040 && c <= 0x30FF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0x20000 && c <= 0x2FA1F);
}

// Splits at ASCII white space, dropping empty words; Han characters and
// kana are words by themselves.
void SplitWords(std::string_view s, std::vector<std::string_view>* out) {
  out->clear();
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && IsWordSpace(s[i])) ++i;
    size_t j = i;
    while (j < s.size() && !IsWordSpace(s[j])) {
      if (static_cast<unsigned char>(s[j]) < 0xE3) {  // below U+3000: not CJK
        ++j;
        continue;
      }
      size_t next = j;
      if (!IsCharacterWord(text::DecodeOne(s, &next))) {
        j = next;
        continue;
      }
      if (j > i) out->push_back(s.substr(i, j - i));
      out->push_back(s.substr(j, next - j));
      i = j = next;
    }
    if (j > i) out->push_back(s.substr(i, j - i));
    i = j;
  }
}

// Legal forms that are no other word in any language the ISO list covers
// ("co", "sa", "spa" and "as" are).
constexpr const char* kLegalAnywhere[] = {"inc", "llc", "ltd", "corp", "pllc", "plc", "gmbh"};

// The first code point of each word, concatenated (UTF-8).
void Initials(std::span<const std::string_view> words, std::string* out) {
  out->clear();
  for (std::string_view w : words) {
    const unsigned char c = static_cast<unsigned char>(w[0]);
    const size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    out->append(w.substr(0, std::min(len, w.size())));
  }
}

uint64_t AcronymHash(std::string_view s) { return std::hash<std::string_view>()(s); }

HayName AsHayName(std::string_view w) {
  return HayName{w, static_cast<uint32_t>(text::CodePointCount(w)), text::IsAscii(w)};
}

// The words within kWordCutoff of `word`, by id.
void NearWords(const NameIndex& index, CachedScorer& scorer, const std::string& word,
               NameScratch* scratch, std::vector<NearWord>* out) {
  auto& cache = scratch->near_cache;
  const auto it = cache.find(word);
  if (it != cache.end()) {
    *out = it->second;
    return;
  }
  // The vocabulary's words of a length the ratio allows, checked against the
  // character bound (needle/charsig.h): the ORs of their blocks of 8, 64 at
  // a time, then the words of the blocks that pass; the survivors scored.
  const Haystack& v = index.vocabulary();
  out->clear();
  scratch->chars.Reset(word);
  const NeedleChars& chars = scratch->chars;
  uint32_t lo = 0, hi = 0;
  scorer.LengthWindow(kWordCutoff, &lo, &hi);
  const uint64_t* sig_lo = v.parts().char_lo.data();
  const uint64_t* sig_hi = v.parts().char_hi.data();
  const uint64_t* block_lo = v.parts().block_lo.data();
  const uint64_t* block_hi = v.parts().block_hi.data();
  uint32_t overlaps[64], blocks[64], passed[64], block_overlaps[64 * kSigBlock];
  uint8_t masks[64];
  for (size_t g = 0; g < v.length_groups(); ++g) {
    const uint32_t n = v.group_length(g);
    if (n < lo) continue;
    if (n > hi) break;
    // The least overlap whose bound reaches the cutoff.
    uint32_t need = 0;
    while (need <= chars.length() && scorer.MaxScoreForChars(n, need) < kWordCutoff) ++need;
    if (need > chars.length()) continue;
    const uint32_t begin = v.group_begin(g), end = v.group_begin(g + 1);
    const uint32_t first = begin / kSigBlock, last = (end - 1) / kSigBlock + 1;
    for (uint32_t b = first; b < last; b += 64) {
      const size_t count = std::min<size_t>(64, last - b);
      size_t listed = 0;
      for (uint64_t pass = chars.OverlapBatch(block_lo + b, block_hi + b, count, overlaps, need);
           pass != 0; pass &= pass - 1) {
        blocks[listed++] = b + static_cast<uint32_t>(std::countr_zero(pass));
      }
      const size_t passing = chars.PassBlocks(sig_lo, sig_hi, blocks, listed, begin, end, need,
                                              nullptr, passed, masks, block_overlaps);
      for (size_t r = 0; r < passing; ++r) {
        for (unsigned m = masks[r]; m != 0; m &= m - 1) {
          const uint32_t d = passed[r] * kSigBlock + static_cast<uint32_t>(std::countr_zero(m));
          const std::string_view t = v.processed(d);
          const double s = scorer.Score(HayName{t, n, t.size() == n}, kWordCutoff);
          if (s >= kWordCutoff) out->push_back(NearWord{v.first_row(d), s});
        }
      }
    }
  }
  std::sort(out->begin(), out->end(),
            [](const NearWord& a, const NearWord& b) { return a.id < b.id; });
  if (cache.size() >= NameScratch::kCacheWords) cache.clear();
  cache.emplace(word, *out);
}

// The ratio of word `id` in a near list, or 0.
double NearScore(const std::vector<NearWord>& near, uint32_t id) {
  const auto it = std::lower_bound(near.begin(), near.end(), id,
                                   [](const NearWord& a, uint32_t b) { return a.id < b; });
  return it != near.end() && it->id == id ? it->score : 0;
}

// Abbreviations that stay words of their own after the name processor,
// because they are ambiguous or because one letter is also an initial: the
// name scorer pairs each with its full word (kAbbreviationScore).
constexpr std::pair<const char*, const char*> kAbbreviations[] = {
    {"ch", "church"},   {"st", "saint"},   {"st", "street"},  {"mt", "mount"},
    {"ft", "fort"},     {"n", "north"},    {"s", "south"},    {"e", "east"},
    {"w", "west"},      {"co", "company"}, {"ave", "avenue"}, {"rd", "road"},
    {"hts", "heights"}, {"jr", "junior"},  {"sr", "senior"},  {"cty", "county"},
};

// The full words of abbreviation `w`, and the abbreviations of full word w.
template <typename F>
void ForEachAbbreviationPartner(std::string_view w, F&& f) {
  for (const auto& [shortw, longw] : kAbbreviations) {
    if (w == shortw) f(std::string_view(longw));
    if (w == longw) f(std::string_view(shortw));
  }
}

}  // namespace

bool IsAbbreviation(std::string_view a, std::string_view b) {
  bool found = false;
  ForEachAbbreviationPartner(a, [&](std::string_view p) { found |= p == b; });
  return found;
}

// ---------------------------------------------------------------- NameIndex

NameIndex::~NameIndex() = default;

double NameIndex::WeightForDf(uint32_t df) const {
  return std::log((static_cast<double>(names()) + 1) / (static_cast<double>(df) + 0.5));
}

std::span<const uint32_t> NameIndex::AcronymNames(std::string_view acronym) const {
  const auto [lo, hi] =
      std::equal_range(acronym_hash_.begin(), acronym_hash_.end(), AcronymHash(acronym));
  return {acronym_name_.data() + (lo - acronym_hash_.begin()), static_cast<size_t>(hi - lo)};
}

uint32_t NameIndex::Find(std::string_view word) const {
  const auto it = ids_.find(word);
  return it == ids_.end() ? UINT32_MAX : it->second;
}

std::unique_ptr<NameIndex> NameIndex::Build(const Haystack& hay, int threads) {
  std::unique_ptr<NameIndex> x(new NameIndex(hay));
  const uint32_t n = hay.distinct();
  x->core_off_.reserve(n + 1);
  x->legal_off_.reserve(n + 1);
  x->core_off_.push_back(0);
  x->legal_off_.push_back(0);
  x->ids_.reserve(n / 2 + 16);
  std::vector<uint32_t> df, last;  // last: 1 + the last name that counted the word
  std::vector<std::string_view> words;
  auto intern = [&](std::string_view w) {
    auto [it, added] = x->ids_.try_emplace(w, static_cast<uint32_t>(x->vocab_.size()));
    if (added) {
      x->vocab_.push_back(w);
      x->legal_word_.push_back(std::find(std::begin(kLegalAnywhere), std::end(kLegalAnywhere),
                                         w) != std::end(kLegalAnywhere));
      df.push_back(0);
      last.push_back(0);
    }
    return it->second;
  };
  // The legal forms that are no other word ("inc", "llc", "gmbh") count as
  // such wherever they stand ("Smith Inc Plumbing").
  std::string_view core, legal;
  std::vector<uint32_t> ids;
  for (uint32_t d = 0; d < n; ++d) {
    SplitLegal(hay.processed(d), &core, &legal);
    SplitWords(core, &words);
    ids.clear();
    for (std::string_view w : words) ids.push_back(intern(w));
    const bool plain = std::any_of(ids.begin(), ids.end(),
                                   [&](uint32_t id) { return !x->legal_word_[id]; });
    for (uint32_t id : ids) {
      if (plain && x->legal_word_[id]) {
        x->legal_ids_.push_back(id);
        continue;
      }
      x->core_ids_.push_back(id);
      if (last[id] != d + 1) {
        last[id] = d + 1;
        ++df[id];
      }
    }
    x->core_off_.push_back(static_cast<uint32_t>(x->core_ids_.size()));
    SplitWords(legal, &words);
    for (std::string_view w : words) x->legal_ids_.push_back(intern(w));
    x->legal_off_.push_back(static_cast<uint32_t>(x->legal_ids_.size()));
  }
  // Posting lists, in name order: per word the names holding it (once),
  // for the core words and for the legal-form words.
  const size_t v = x->vocab_.size();
  auto build_lists = [&](auto words_of, std::vector<uint32_t>* off, std::vector<uint32_t>* post) {
    off->assign(v + 1, 0);
    std::fill(last.begin(), last.end(), 0);
    for (uint32_t d = 0; d < n; ++d) {
      for (uint32_t id : words_of(d)) {
        if (last[id] == d + 1) continue;
        last[id] = d + 1;
        ++(*off)[id + 1];
      }
    }
    for (size_t w = 0; w < v; ++w) (*off)[w + 1] += (*off)[w];
    post->resize((*off)[v]);
    std::vector<uint32_t> fill(off->begin(), off->end() - 1);
    std::fill(last.begin(), last.end(), 0);
    for (uint32_t d = 0; d < n; ++d) {
      for (uint32_t id : words_of(d)) {
        if (last[id] == d + 1) continue;
        last[id] = d + 1;
        (*post)[fill[id]++] = d;
      }
    }
  };
  build_lists([&](uint32_t d) { return x->core(d); }, &x->post_off_, &x->post_);
  build_lists([&](uint32_t d) { return x->legal(d); }, &x->legal_post_off_, &x->legal_post_);
  // The names of two or more core words by the hash of their initials.
  {
    std::vector<std::pair<uint64_t, uint32_t>> acronyms;
    std::string initials;
    for (uint32_t d = 0; d < n; ++d) {
      const std::span<const uint32_t> word_ids = x->core(d);
      if (word_ids.size() < kMinAcronymWords) continue;
      words.clear();
      for (uint32_t id : word_ids) words.push_back(x->vocab_[id]);
      Initials(words, &initials);
      acronyms.emplace_back(AcronymHash(initials), d);
    }
    std::sort(acronyms.begin(), acronyms.end());
    x->acronym_hash_.reserve(acronyms.size());
    x->acronym_name_.reserve(acronyms.size());
    for (const auto& [h, d] : acronyms) {
      x->acronym_hash_.push_back(h);
      x->acronym_name_.push_back(d);
    }
  }
  x->weight_.resize(v);
  for (size_t w = 0; w < v; ++w) x->weight_[w] = x->WeightForDf(df[w]);
  // The vocabulary as a haystack: row w is word w.
  HaystackBuilder b(Processor::kNone, NameForm::kProcessed, false, 0);
  for (std::string_view w : x->vocab_) {
    Status s = b.Add("", w);
    (void)s;  // words are valid UTF-8 pieces of valid names
  }
  auto built = b.Finish();
  x->vocab_hay_ = WithCharSigs(std::move(built.value()), NameStat::kNone, threads);
  return x;
}

size_t NameIndex::MemoryBytes() const {
  return (core_off_.size() + core_ids_.size() + legal_off_.size() + legal_ids_.size() +
          post_off_.size() + post_.size() + legal_post_off_.size() + legal_post_.size() +
          acronym_name_.size() + 2 * acronym_hash_.size()) *
             sizeof(uint32_t) +
         weight_.size() * sizeof(double) + vocab_.size() * sizeof(std::string_view) +
         ids_.size() * (sizeof(std::string_view) + sizeof(uint32_t) + 2 * sizeof(void*)) +
         vocab_hay_->MemoryBytes();
}

// ---------------------------------------------------------------- NameQuery

NameQuery::NameQuery(std::string_view processed, const NameIndex* index, NameScratch* scratch)
    : index_(index) {
  std::string_view core, legal;
  SplitLegal(processed, &core, &legal);
  std::vector<std::string_view> parts;
  SplitWords(legal, &parts);
  for (std::string_view p : parts) legal_.emplace_back(p);
  SplitWords(core, &parts);
  if (index && std::any_of(parts.begin(), parts.end(),
                           [&](std::string_view p) { return !index->IsLegalWord(p); })) {
    // Legal-form words count as such wherever they stand (as in the index).
    std::vector<std::string_view> plain;
    for (std::string_view p : parts) {
      if (index->IsLegalWord(p)) {
        legal_.emplace_back(p);
      } else {
        plain.push_back(p);
      }
    }
    parts.swap(plain);
  }
  words_.resize(parts.size());
  for (size_t i = 0; i < parts.size(); ++i) {
    Word& w = words_[i];
    w.text = parts[i];
    w.scorer = CachedScorer::Create(ScorerKind::kRatio, w.text);
    if (i + 1 < parts.size()) {
      w.joined = w.text + std::string(parts[i + 1]);
      w.join_scorer = CachedScorer::Create(ScorerKind::kRatio, w.joined);
    }
  }
  if (parts.size() >= kMinAcronymWords) Initials(parts, &initials_);
  if (index) {
    for (size_t i = 0; i < words_.size(); ++i) {
      Word& w = words_[i];
      NearWords(*index, *w.scorer, w.text, scratch, &w.near);
      // Its abbreviations or full words pair with it too.
      ForEachAbbreviationPartner(w.text, [&](std::string_view p) {
        const uint32_t id = index->Find(p);
        if (id == UINT32_MAX) return;
        auto at = std::lower_bound(w.near.begin(), w.near.end(), id,
                                   [](const NearWord& a, uint32_t b) { return a.id < b; });
        if (at == w.near.end() || at->id != id) {
          w.near.insert(at, NearWord{id, kAbbreviationScore});
        } else {
          at->score = std::max(at->score, kAbbreviationScore);
        }
      });
      // As common as the most common word near it. A word beside others may
      // be a legal form with typos (the processor reads those one edit away;
      // "Incco" is two): a legal form near it counts with the names that
      // hold it as one ("inc": most of them).
      const bool beside = words_.size() > 1;
      uint32_t df = 0;
      for (const NearWord& x : w.near) {
        df = std::max(df, index->df(x.id));
        if (beside) df = std::max(df, static_cast<uint32_t>(index->legal_postings(x.id).size()));
        w.sources.push_back(x.id);
      }
      w.weight = index->WeightForDf(df);
      if (w.join_scorer) {
        NearWords(*index, *w.join_scorer, w.joined, scratch, &w.join_near);
        for (const NearWord& x : w.join_near) {
          w.sources.push_back(x.id);
          words_[i + 1].sources.push_back(x.id);
        }
      }
      // Ends of the word that a name may hold as a word of their own.
      const std::string& t = w.text;
      for (size_t cut = 1; cut < t.size(); ++cut) {
        if ((static_cast<unsigned char>(t[cut]) & 0xC0) == 0x80) continue;  // inside a code point
        const std::string_view head(t.data(), cut), tail(t.data() + cut, t.size() - cut);
        if (text::CodePointCount(head) >= kMinJoinPart) {
          const uint32_t id = index->Find(head);
          if (id != UINT32_MAX) w.ends.push_back(id);
        }
        if (text::CodePointCount(tail) >= kMinJoinPart) {
          const uint32_t id = index->Find(tail);
          if (id != UINT32_MAX) w.ends.push_back(id);
        }
      }
      w.sources.insert(w.sources.end(), w.ends.begin(), w.ends.end());
      // Names whose words this word, the needle's only one, may abbreviate.
      if (parts.size() == 1 && text::CodePointCount(w.text) >= kMinAcronymWords) {
        w.acronym_names = index->AcronymNames(w.text);
      }
    }
    // A word of a name that abbreviates all the needle's words pairs them all.
    if (!initials_.empty()) {
      const uint32_t id = index->Find(initials_);
      if (id != UINT32_MAX) {
        for (Word& w : words_) w.sources.push_back(id);
      }
    }
    for (Word& w : words_) {
      std::sort(w.ends.begin(), w.ends.end());
      w.ends.erase(std::unique(w.ends.begin(), w.ends.end()), w.ends.end());
      std::sort(w.sources.begin(), w.sources.end());
      w.sources.erase(std::unique(w.sources.begin(), w.sources.end()), w.sources.end());
      // Words that only appear as legal forms hold no names.
      w.sources.erase(std::remove_if(w.sources.begin(), w.sources.end(),
                                     [&](uint32_t id) { return index->df(id) == 0; }),
                      w.sources.end());
    }
  }
  total_ = legal_weight();
  for (const Word& w : words_) total_ += w.weight;
  if (!index || words_.size() > 64) return;
  // Per vocabulary word: the needle words it may pair (a bit each), and
  // whether it is an end of one (its neighbours may then pair as well).
  std::vector<Source> table;
  for (size_t i = 0; i < words_.size(); ++i) {
    for (uint32_t id : words_[i].sources) table.push_back(Source{id, uint64_t{1} << i, false});
    for (uint32_t id : words_[i].ends) table.push_back(Source{id, 0, true});
  }
  std::sort(table.begin(), table.end(),
            [](const Source& a, const Source& b) { return a.id < b.id; });
  size_t merged = 0;
  for (const Source& x : table) {
    if (merged > 0 && table[merged - 1].id == x.id) {
      table[merged - 1].words |= x.words;
      table[merged - 1].end |= x.end;
    } else {
      table[merged++] = x;
    }
  }
  table.resize(merged);
  for (const Word& w : words_) has_acronym_word_ |= !w.acronym_names.empty();
  // An open-addressing copy for MaxScoreForName, which looks up every word
  // of every candidate.
  size_t cap = 16;
  while (cap < 2 * table.size()) cap <<= 1;
  slots_.assign(cap, Source{UINT32_MAX, 0, false});
  slot_mask_ = cap - 1;
  for (const Source& x : table) {
    size_t at = Slot(x.id);
    while (slots_[at].id != UINT32_MAX) at = (at + 1) & slot_mask_;
    slots_[at] = x;
  }
  has_bound_ = true;
}

double NameQuery::MaxScoreForName(uint32_t d) {
  if (!has_bound_ || total_ <= 0) return 100;
  auto find = [&](uint32_t id) -> const Source* {
    for (size_t at = Slot(id);; at = (at + 1) & slot_mask_) {
      if (slots_[at].id == id) return &slots_[at];
      if (slots_[at].id == UINT32_MAX) return nullptr;
    }
  };
  const std::span<const uint32_t> ids = index_->core(d);
  found_.resize(ids.size());
  uint64_t mask = 0;
  for (size_t j = 0; j < ids.size(); ++j) {
    found_[j] = find(ids[j]);
    if (found_[j]) mask |= found_[j]->words;
  }
  // A needle word spelling the initials of all the name's words pairs them
  // all (an acronym).
  bool acronym = false;
  if (ids.size() >= kMinAcronymWords && has_acronym_word_) {
    hay_core_.clear();
    for (uint32_t id : ids) hay_core_.push_back(index_->word(id));
    Initials(hay_core_, &hay_initials_);
    for (size_t i = 0; i < words_.size(); ++i) {
      if (words_[i].text == hay_initials_) {
        mask |= uint64_t{1} << i;
        acronym = true;
      }
    }
  }
  // Words of the name that no needle word can pair, alone or beside an end.
  double unpaired = 0;
  for (size_t j = 0; j < ids.size() && !acronym; ++j) {
    if (found_[j] && found_[j]->words) continue;
    if (j > 0 && found_[j - 1] && found_[j - 1]->end) continue;
    if (j + 1 < ids.size() && found_[j + 1] && found_[j + 1]->end) continue;
    unpaired += index_->weight(ids[j]);
  }
  double reach = 0;
  for (size_t i = 0; i < words_.size(); ++i) {
    if ((mask >> i) & 1) reach += words_[i].weight;
  }
  const size_t legal = index_->legal(d).size();
  const size_t shared = std::min(legal, legal_.size());
  reach += kLegalWeight * static_cast<double>(shared);
  unpaired += kLegalWeight * static_cast<double>(legal - shared);
  return Bound(reach, kUnpairedWeight * unpaired);
}

NameQuery::~NameQuery() = default;

// ---------------------------------------------------------------- Spelling

namespace {
// A name as the spelling term compares it: RapidFuzz's default_process
// (lower case, every code point that is no letter or digit a space), then
// runs of spaces made one ("Acme Widgets, Inc." -> "acme widgets inc").
void SpellingForm(std::string_view name, std::string* scratch, std::string* out) {
  ProcessName(Processor::kDefault, name, scratch);
  out->clear();
  for (char c : *scratch) {
    if (c != ' ' || (!out->empty() && out->back() != ' ')) out->push_back(c);
  }
}
}  // namespace

Spelling::Spelling(std::string_view needle) {
  std::string form;
  SpellingForm(needle, &scratch_, &form);
  ratio_ = CachedScorer::Create(ScorerKind::kRatio, form);
}

Spelling::~Spelling() = default;

double Spelling::Factor(std::string_view name) {
  SpellingForm(name, &scratch_, &form_);
  const double r = ratio_->Score(AsHayName(form_), 0);
  return 1 - kSpellingWeight * (1 - r / 100);
}

double NameQuery::ScoreName(uint32_t d) {
  hay_core_.clear();
  hay_weights_.clear();
  hay_legal_.clear();
  const std::span<const uint32_t> ids = index_->core(d);
  for (uint32_t id : ids) {
    hay_core_.push_back(index_->word(id));
    hay_weights_.push_back(index_->weight(id));
  }
  for (uint32_t id : index_->legal(d)) hay_legal_.push_back(index_->word(id));
  return Score(hay_core_, ids, hay_weights_, hay_legal_);
}

double NameQuery::ScoreText(std::string_view processed) {
  std::string_view core, legal;
  SplitLegal(processed, &core, &legal);
  std::vector<std::string_view> words, c, l;
  SplitWords(core, &words);
  // As NameIndex::Build splits a name: a legal form that is no other word
  // counts as one wherever it stands, unless the name has no other word;
  // those come before the trailing legal forms.
  auto anywhere = [](std::string_view w) {
    return std::find(std::begin(kLegalAnywhere), std::end(kLegalAnywhere), w) !=
           std::end(kLegalAnywhere);
  };
  const bool plain = std::any_of(words.begin(), words.end(),
                                 [&](std::string_view w) { return !anywhere(w); });
  for (std::string_view w : words) (plain && anywhere(w) ? l : c).push_back(w);
  std::vector<std::string_view> trailing;
  SplitWords(legal, &trailing);
  l.insert(l.end(), trailing.begin(), trailing.end());
  std::vector<double> weights(c.size(), kPlainWordWeight);
  if (index_) {
    for (size_t j = 0; j < c.size(); ++j) {
      const uint32_t id = index_->Find(c[j]);
      weights[j] = index_->WeightForDf(id == UINT32_MAX ? 0 : index_->df(id));
    }
  }
  return Score(c, {}, weights, l);
}

double NameQuery::Score(std::span<const std::string_view> core,
                        std::span<const uint32_t> core_ids, std::span<const double> core_weights,
                        std::span<const std::string_view> legal) {
  const size_t n = words_.size(), m = core.size();
  pairs_.clear();
  for (size_t i = 0; i < n; ++i) {
    Word& w = words_[i];
    for (size_t j = 0; j < m; ++j) {
      // With an index the ratios were found with the near words (the same
      // scorer, the same values); without one they are computed here.
      double s = 0;
      if (!core_ids.empty()) {
        s = NearScore(w.near, core_ids[j]);
      } else if (core[j] == w.text) {
        s = 100;
      } else {
        s = w.scorer->Score(AsHayName(core[j]), kWordCutoff);
        if (s < kAbbreviationScore && IsAbbreviation(w.text, core[j])) s = kAbbreviationScore;
      }
      if (s >= kWordCutoff) pairs_.push_back(Pair{s, 0, uint32_t(i), uint32_t(j)});
      if (w.join_scorer) {
        s = core_ids.empty() ? w.join_scorer->Score(AsHayName(core[j]), kWordCutoff)
                             : NearScore(w.join_near, core_ids[j]);
        if (s >= kWordCutoff) pairs_.push_back(Pair{s, 1, uint32_t(i), uint32_t(j)});
      }
      if (j + 1 < m) {
        const std::string_view b1 = core[j], b2 = core[j + 1];
        const std::string_view t = w.text;
        const bool head = t.size() > b1.size() && b1.size() >= kMinJoinPart &&
                          t.starts_with(b1) && text::CodePointCount(b1) >= kMinJoinPart;
        const bool tail = t.size() > b2.size() && b2.size() >= kMinJoinPart &&
                          t.ends_with(b2) && text::CodePointCount(b2) >= kMinJoinPart;
        if (head || tail) {
          joined_.assign(b1);
          joined_.append(b2);
          s = w.scorer->Score(AsHayName(joined_), kWordCutoff);
          if (s >= kWordCutoff) pairs_.push_back(Pair{s, 2, uint32_t(i), uint32_t(j)});
        }
      }
    }
  }
  // Acronyms: a needle word spelling the initials of all the name's words,
  // or a word of the name spelling those of all the needle's.
  if (n == 1 && m >= kMinAcronymWords) {
    Initials(core, &hay_initials_);
    if (words_[0].text == hay_initials_) pairs_.push_back(Pair{kAcronymScore, 3, 0, 0});
  }
  if (m == 1 && n >= kMinAcronymWords && core[0] == initials_) {
    pairs_.push_back(Pair{kAcronymScore, 4, 0, 0});
  }
  // Best similarity first; a word-word pair before a join of the same
  // similarity; then the heavier needle word; then position.
  std::sort(pairs_.begin(), pairs_.end(), [&](const Pair& x, const Pair& y) {
    if (x.s != y.s) return x.s > y.s;
    if ((x.kind == 0) != (y.kind == 0)) return x.kind == 0;
    const double wx = words_[x.i].weight, wy = words_[y.i].weight;
    if (wx != wy) return wx > wy;
    if (x.i != y.i) return x.i < y.i;
    if (x.j != y.j) return x.j < y.j;
    return x.kind < y.kind;
  });
  used_a_.assign(n, 0);
  used_b_.assign(m, 0);
  double matched = 0, missing = 0;
  order_.clear();
  for (const Pair& p : pairs_) {
    // The needle words [i1, i2] and the name's words [j1, j2] it pairs.
    const uint32_t i1 = p.kind == 4 ? 0 : p.i, j1 = p.kind == 3 ? 0 : p.j;
    const uint32_t i2 = p.kind == 1 ? p.i + 1 : p.kind == 4 ? uint32_t(n - 1) : p.i;
    const uint32_t j2 = p.kind == 2 ? p.j + 1 : p.kind == 3 ? uint32_t(m - 1) : p.j;
    bool taken = false;
    for (uint32_t i = i1; i <= i2; ++i) taken |= used_a_[i] != 0;
    for (uint32_t j = j1; j <= j2; ++j) taken |= used_b_[j] != 0;
    if (taken) continue;
    double w = 0;
    for (uint32_t i = i1; i <= i2; ++i) {
      used_a_[i] = 1;
      w += words_[i].weight;
    }
    for (uint32_t j = j1; j <= j2; ++j) used_b_[j] = 1;
    order_.emplace_back(i1, j1);
    static_assert(kPairPower == 2, "the pair's credit is s * s");
    const double s = p.s / 100;
    if (p.kind == 1) {
      // Two needle words written as one word of the name: when the name's
      // word begins with the first or ends with the second, the other one
      // is compared with the rest ("ws community" / "waycommunity": "ws"
      // against "way"), so a short word does not ride on a long one.
      const std::string_view h = core[p.j];
      const Word &a = words_[p.i], &b = words_[p.i + 1];
      double sa = s, sb = s;
      if (h.size() > a.text.size() && h.starts_with(a.text)) {
        sa = 1;
        sb = b.scorer->Score(AsHayName(h.substr(a.text.size())), 0) / 100;
      } else if (h.size() > b.text.size() && h.ends_with(b.text)) {
        sb = 1;
        sa = a.scorer->Score(AsHayName(h.substr(0, h.size() - b.text.size())), 0) / 100;
      }
      matched += sa * sa * a.weight + sb * sb * b.weight;
      missing += (1 - sa * sa) * a.weight + (1 - sb * sb) * b.weight;
      continue;
    }
    matched += s * s * w;
    missing += (1 - s * s) * w;  // 0 for the same word
  }
  // What the needle has and the name lacks, added up directly (not as the
  // total less what was found) so that equal names score exactly 100.
  for (size_t i = 0; i < n; ++i) {
    if (!used_a_[i]) missing += words_[i].weight;
  }
  double unpaired = 0;
  for (size_t j = 0; j < m; ++j) {
    if (!used_b_[j]) unpaired += core_weights[j];
  }
  // Legal-form words: the same word in both (as multisets).
  size_t common = 0;
  used_b_.assign(legal.size(), 0);
  for (const std::string& l : legal_) {
    for (size_t j = 0; j < legal.size(); ++j) {
      if (!used_b_[j] && legal[j] == l) {
        used_b_[j] = 1;
        ++common;
        break;
      }
    }
  }
  matched += kLegalWeight * static_cast<double>(common);
  missing += kLegalWeight * static_cast<double>(legal_.size() - common);
  unpaired += kLegalWeight * static_cast<double>(legal.size() - common);
  const double denominator = matched + kMissingWeight * missing + kUnpairedWeight * unpaired;
  if (denominator <= 0) return 100;  // both names are empty
  // Word order: the share of paired words in the other order costs up to
  // kOrderWeight of the score.
  double order = 1;
  if (order_.size() >= 2) {
    std::sort(order_.begin(), order_.end());
    size_t inversions = 0;
    for (size_t x = 0; x < order_.size(); ++x) {
      for (size_t y = x + 1; y < order_.size(); ++y) inversions += order_[x].second > order_[y].second;
    }
    const double pairs = static_cast<double>(order_.size() * (order_.size() - 1) / 2);
    order = 1 - kOrderWeight * static_cast<double>(inversions) / pairs;
  }
  // matched / denominator first: equal names give exactly 1, hence 100.
  return std::min(100.0, 100 * (matched / denominator) * order);
}

// ---------------------------------------------------------------- search

size_t NameCrowd(NameQuery& q, const NameIndex& index, NameScratch* scratch) {
  if (!q.has_bound() || q.words() == 0) return 0;
  // Each word's spellings: the vocabulary words within kCrowdSpelling of it
  // that some name holds (its near words were found at kWordCutoff).
  std::vector<std::vector<uint32_t>> spelled(q.words());
  size_t best = 0, best_size = SIZE_MAX;
  for (size_t i = 0; i < q.words(); ++i) {
    for (const NearWord& x : q.near(i)) {
      if (x.score >= kCrowdSpelling && index.df(x.id) > 0) spelled[i].push_back(x.id);
    }
    if (spelled[i].empty()) return 0;
    size_t size = 0;
    for (uint32_t w : spelled[i]) size += index.postings(w).size();
    if (size < best_size) {
      best_size = size;
      best = i;
    }
  }
  // Every name of these lists holds a spelling of word best; the others
  // are looked for among its words.
  const uint32_t epoch = scratch->NewEpoch(index.haystack().distinct());
  size_t crowd = 0;
  for (uint32_t w : spelled[best]) {
    for (uint32_t d : index.postings(w)) {
      if (scratch->seen[d] == epoch) continue;
      scratch->seen[d] = epoch;
      const std::span<const uint32_t> ids = index.core(d);
      bool all = true;
      for (size_t i = 0; i < q.words() && all; ++i) {
        all = i == best || std::any_of(ids.begin(), ids.end(), [&](uint32_t id) {
          return std::find(spelled[i].begin(), spelled[i].end(), id) != spelled[i].end();
        });
      }
      crowd += all;
    }
  }
  return crowd;
}

double CrowdFactor(size_t crowd) {
  if (crowd <= 1) return 1;
  return 1 / (1 + kCrowdWeight * std::log2(static_cast<double>(crowd)));
}

void NameTopK(const NameIndex& index, std::string_view needle, std::string_view processed_needle,
              size_t top_k, double cutoff, bool exact, NameScratch* scratch, std::vector<Hit>* out,
              SearchStats* stats) {
  SearchStats local;
  SearchStats& st = stats ? *stats : local;
  st = SearchStats();
  out->clear();
  if (top_k == 0) return;
  const Haystack& hay = index.haystack();
  NameQuery q(processed_needle, &index, scratch);
  search::TopK top(out, top_k, cutoff);
  double threshold = cutoff;
  const uint32_t n = hay.distinct();
  // The crowd term scales every score of this needle alike: the search
  // ranks by the scores before it, which keeps the same top K, and drops
  // what it brings below the cutoff at the end.
  const double crowd = CrowdFactor(NameCrowd(q, index, scratch));
  const uint32_t epoch = scratch->NewEpoch(n);
  // Each row of distinct name d, whose words score s, with its spelling
  // term; it only lowers the score, so a name whose words score below the
  // K-th best is not read.
  Spelling spelling(needle);
  auto offer = [&](uint32_t d, double s) {
    if (s <= 0) {
      top.OfferRows(hay, d, s, &threshold);
      return;
    }
    hay.ForEachRow(d, [&](uint32_t row) {
      std::string_view id, name;
      const double f = hay.Row(row, &scratch->rows, &id, &name).ok() ? spelling.Factor(name)
                                                                     : 1 - kSpellingWeight;
      top.Offer(Hit{s * f, row});
    });
    if (top.full()) threshold = std::max(threshold, top.threshold());
  };
  auto visit = [&](uint32_t d) {
    scratch->seen[d] = epoch;
    ++st.verified;
    const double s = q.ScoreName(d);
    if (s >= threshold) offer(d, s);
  };
  const double total = q.total_weight();
  // Rounding: the bound and the score sum the same weights in different
  // orders; the margin covers the difference (docs/search.md).
  constexpr double kMargin = 1e-9;
  bool rest = true;  // names not in any list may still make the top K
  if (exact && total > 0) {
    // The terms: each needle word with the lists of the words it may pair,
    // each legal-form word with its legal list; heaviest first.
    struct Term {
      double weight;
      std::vector<std::span<const uint32_t>> lists;
    };
    std::vector<Term> terms;
    double reachable = 0;
    for (size_t i = 0; i < q.words(); ++i) {
      // No name can pair a word without sources or names it abbreviates.
      if (q.sources(i).empty() && q.acronym_names(i).empty()) continue;
      Term t{q.weight(i), {}};
      for (uint32_t w : q.sources(i)) t.lists.push_back(index.postings(w));
      if (!q.acronym_names(i).empty()) t.lists.push_back(q.acronym_names(i));
      terms.push_back(std::move(t));
    }
    for (const std::string& l : q.legal_words()) {
      const uint32_t id = index.Find(l);
      if (id == UINT32_MAX || index.legal_postings(id).empty()) continue;
      terms.push_back(Term{kLegalWeight, {index.legal_postings(id)}});
    }
    for (const Term& t : terms) reachable += t.weight;
    std::stable_sort(terms.begin(), terms.end(),
                     [](const Term& a, const Term& b) { return a.weight > b.weight; });
    auto& cands = scratch->candidates;
    for (const Term& t : terms) {
      if (q.Bound(reachable, 0) + kMargin < top.threshold()) break;
      // The names of this term's lists not met yet, best bound first; a name
      // whose bound cannot reach the K-th best never will (it only rises).
      cands.clear();
      for (std::span<const uint32_t> list : t.lists) {
        ++st.lists;
        const size_t size = list.size();
        for (size_t k = 0; k < size; ++k) {
          // The names are scattered: ask for their words' offsets, then
          // their words, a few names ahead.
          if (k + 16 < size) {
            index.Prefetch(list[k + 16]);
            __builtin_prefetch(scratch->seen.data() + list[k + 16]);
          }
          if (k + 8 < size) index.PrefetchWords(list[k + 8]);
          const uint32_t d = list[k];
          ++st.postings;
          if (scratch->seen[d] == epoch) continue;
          scratch->seen[d] = epoch;
          ++st.candidates;
          const double b = q.MaxScoreForName(d);
          if (b + kMargin >= top.threshold()) cands.emplace_back(b, d);
        }
      }
      // A heap, not a sort: few of them are scored.
      auto lower = [](const auto& a, const auto& b) {
        return a.first < b.first || (a.first == b.first && a.second > b.second);
      };
      std::make_heap(cands.begin(), cands.end(), lower);
      while (!cands.empty() && cands.front().first + kMargin >= top.threshold()) {
        const uint32_t d = cands.front().second;
        std::pop_heap(cands.begin(), cands.end(), lower);
        cands.pop_back();
        visit(d);
      }
      reachable -= t.weight;
    }
    rest = q.Bound(std::max(reachable, 0.0), 0) + kMargin >= top.threshold();
  }
  if (rest) {
    st.scanned = true;
    // After the exact search every name that can pair a needle word or share
    // a legal-form word has been met: one not met scores 0 (or 100 when both
    // names are empty), so it need not be scored. The scan scores them all.
    for (uint32_t d = 0; d < n; ++d) {
      if (scratch->seen[d] == epoch) continue;
      if (!exact) {
        visit(d);
        continue;
      }
      const double s = total == 0 && index.core(d).empty() && index.legal(d).empty() ? 100 : 0;
      if (s < threshold) continue;
      if (s == threshold && top.full() && hay.first_row(d) > top.worst_row()) continue;
      offer(d, s);
    }
  }
  top.Finish();
  if (crowd < 1) {
    for (Hit& h : *out) h.score *= crowd;
    std::erase_if(*out, [&](const Hit& h) { return h.score < cutoff; });
  }
}

double NameScorePair(std::string_view a, std::string_view b) {
  NameQuery q(a, nullptr, nullptr);
  return q.ScoreText(b);
}

double NameScorePair(std::string_view a, std::string_view b, std::string_view processed_a,
                     std::string_view processed_b) {
  Spelling spelling(a);
  return NameScorePair(processed_a, processed_b) * spelling.Factor(b);
}

}  // namespace needle
