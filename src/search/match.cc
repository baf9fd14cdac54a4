// The needle pipeline: a serial reader, parallel searches, a serial writer
// that sees results in input order (tbb::parallel_pipeline, which schedules
// the middle stage by work stealing). At most kTokensPerThread batches per
// thread are in flight, so memory is bounded whatever the number of needles.
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include <atomic>
#include <chrono>
#include <string>

#include "needle/match.h"
#include "needle/name_match.h"

namespace needle {

namespace {
constexpr size_t kBatch = 8;
constexpr size_t kTokensPerThread = 4;

struct Needle {
  std::string id, name;
  uint64_t row = 0, line = 0;
  std::vector<Hit> hits;
  SearchStats stats;
  double micros = 0;
};
struct Batch {
  std::vector<Needle> needles;
  uint64_t bytes = 0;
};
}  // namespace

Status MatchTable(const Haystack& hay, TableReader& needles, const MatchOptions& options,
                  MatchSink* sink) {
  if (hay.form() != NameFormFor(options.scorer)) {
    return Status::InvalidArgument(std::string("the haystack stores names as ") +
                                   NameFormName(hay.form()) + ", but " +
                                   ScorerName(options.scorer) + " compares " +
                                   NameFormName(NameFormFor(options.scorer)));
  }
  const bool by_name = options.scorer == ScorerKind::kName;
  if (by_name && (options.names == nullptr || &options.names->haystack() != &hay)) {
    return Status::InvalidArgument("the name scorer needs the haystack's NameIndex");
  }
  tbb::enumerable_thread_specific<NameScratch> name_scratch;
  const int threads =
      options.threads > 0 ? options.threads : tbb::this_task_arena::max_concurrency();
  tbb::task_arena arena(threads);
  tbb::enumerable_thread_specific<ExactScratch> scratch;
  const NameForm form = NameFormFor(options.scorer);
  const bool exact =
      options.method == SearchMethod::kExact &&
      ((hay.has_grams() && HasGramBound(options.scorer, options.scorer_options)) ||
       (hay.has_char_sigs() && HasCharBound(options.scorer, options.scorer_options)));
  Status input_error, output_error;
  std::atomic<bool> stop{false};
  uint64_t done = 0;
  arena.execute([&] {
    tbb::parallel_pipeline(
        static_cast<size_t>(threads) * kTokensPerThread,
        tbb::make_filter<void, Batch*>(
            tbb::filter_mode::serial_in_order,
            [&](tbb::flow_control& fc) -> Batch* {
              if (stop.load()) {
                fc.stop();
                return nullptr;
              }
              auto* batch = new Batch();
              TableRecord rec;
              bool eof = false;
              while (batch->needles.size() < kBatch) {
                Status s = needles.Next(&rec, &eof);
                if (!s.ok()) {
                  input_error = s;
                  stop = true;
                  break;
                }
                if (eof) break;
                batch->needles.push_back(
                    Needle{std::string(rec.id), std::string(rec.name), rec.row, rec.line, {}, {}, 0});
              }
              batch->bytes = needles.bytes_read();
              if (batch->needles.empty()) {
                delete batch;
                fc.stop();
                return nullptr;
              }
              return batch;
            }) &
            tbb::make_filter<Batch*, Batch*>(
                tbb::filter_mode::parallel,
                [&](Batch* batch) -> Batch* {
                  if (stop.load()) return batch;
                  std::string p, formed;
                  for (Needle& n : batch->needles) {
                    const auto start = std::chrono::steady_clock::now();
                    ProcessName(hay.processor(), n.name, &p);
                    if (by_name) {
                      NameTopK(*options.names, n.name, p, options.top_k, options.cutoff,
                               options.method == SearchMethod::kExact, &name_scratch.local(),
                               &n.hits, &n.stats);
                      n.micros = std::chrono::duration<double, std::micro>(
                                     std::chrono::steady_clock::now() - start)
                                     .count();
                      continue;
                    }
                    auto scorer = CachedScorer::Create(options.scorer, p, options.scorer_options);
                    if (exact) {
                      ToNameForm(form, p, &formed);
                      ExactTopK(hay, *scorer, formed, options.top_k, options.cutoff,
                                &scratch.local(), &n.hits, &n.stats);
                    } else {
                      n.stats.scanned = true;
                      ScanTopK(hay, *scorer, options.top_k, options.cutoff, &n.hits);
                    }
                    n.micros = std::chrono::duration<double, std::micro>(
                                   std::chrono::steady_clock::now() - start)
                                   .count();
                  }
                  return batch;
                }) &
            tbb::make_filter<Batch*, void>(tbb::filter_mode::serial_in_order, [&](Batch* batch) {
              if (!stop.load()) {
                for (const Needle& n : batch->needles) {
                  TableRecord rec;
                  rec.id = n.id;
                  rec.name = n.name;
                  rec.row = n.row;
                  rec.line = n.line;
                  sink->Timing(rec, n.micros, n.stats);
                  Status s = sink->Write(rec, n.hits);
                  if (!s.ok()) {
                    output_error = s;
                    stop = true;
                    break;
                  }
                  ++done;
                }
                sink->Progress(done, batch->bytes);
              }
              delete batch;
            }));
  });
  if (!input_error.ok()) return input_error;
  return output_error;
}

}  // namespace needle
