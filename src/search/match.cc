// The needle pipeline: a serial reader, parallel searches, a serial writer
// that sees results in input order (tbb::parallel_pipeline, which schedules
// the middle stage by work stealing). At most kTokensPerThread batches per
// thread are in flight, so memory is bounded whatever the number of needles.
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include <atomic>
#include <string>

#include "needle/match.h"

namespace needle {

namespace {
constexpr size_t kBatch = 8;
constexpr size_t kTokensPerThread = 4;

struct Needle {
  std::string id, name;
  uint64_t row = 0, line = 0;
  std::vector<Hit> hits;
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
  const int threads =
      options.threads > 0 ? options.threads : tbb::this_task_arena::max_concurrency();
  tbb::task_arena arena(threads);
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
                    Needle{std::string(rec.id), std::string(rec.name), rec.row, rec.line, {}});
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
                  std::string p;
                  for (Needle& n : batch->needles) {
                    ProcessName(hay.processor(), n.name, &p);
                    auto scorer = CachedScorer::Create(options.scorer, p, options.scorer_options);
                    ScanTopK(hay, *scorer, options.top_k, options.cutoff, &n.hits);
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
