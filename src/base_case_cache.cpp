// The process's base-case cache (base_case_cache.hpp): a least-recently-used map from a
// key (the full description of a base-case simulation) to its result, bounded in bytes.
#include "apmsim/base_case_cache.hpp"

#include <list>
#include <mutex>
#include <string_view>
#include <unordered_map>

namespace apmsim {

namespace {

class BaseCaseCache {
public:
    std::shared_ptr<const void> find(const std::string& key) {
        std::lock_guard lock(mutex_);
        auto it = index_.find(key);
        if (it == index_.end()) {
            ++info_.misses;
            return nullptr;
        }
        ++info_.hits;
        order_.splice(order_.begin(), order_, it->second);  // now the most recently used
        return it->second->value;
    }

    void store(const std::string& key, std::shared_ptr<const void> value, std::size_t value_bytes) {
        const std::size_t bytes = value_bytes + key.size() + sizeof(Entry);
        std::lock_guard lock(mutex_);
        if (bytes > info_.capacity_bytes || index_.count(key) != 0) return;  // too big, or stored meanwhile by another thread
        order_.push_front({key, std::move(value), bytes});
        index_.emplace(order_.front().key, order_.begin());  // the view is of the entry's own key
        info_.bytes += bytes;
        ++info_.entries;
        evict_beyond(info_.capacity_bytes);
    }

    BaseCaseCacheInfo info() {
        std::lock_guard lock(mutex_);
        return info_;
    }
    void clear() {
        std::lock_guard lock(mutex_);
        evict_beyond(0);
        info_.hits = info_.misses = 0;
    }
    void set_capacity(std::size_t bytes) {
        std::lock_guard lock(mutex_);
        info_.capacity_bytes = bytes;
        evict_beyond(bytes);
    }

private:
    struct Entry {
        std::string key;
        std::shared_ptr<const void> value;
        std::size_t bytes = 0;
    };
    void evict_beyond(std::size_t capacity) {  // the mutex is held
        while (info_.bytes > capacity) {
            const Entry& last = order_.back();
            info_.bytes -= last.bytes;
            --info_.entries;
            index_.erase(last.key);
            order_.pop_back();
        }
    }

    std::mutex mutex_;
    std::list<Entry> order_;  ///< most recently used first
    std::unordered_map<std::string_view, std::list<Entry>::iterator> index_;  ///< views of the entries' keys
    BaseCaseCacheInfo info_{0, 0, 0, 0, std::size_t{256} << 20};
};

BaseCaseCache& the_cache() {
    static BaseCaseCache cache;
    return cache;
}

}  // namespace

BaseCaseCacheInfo base_case_cache_info() { return the_cache().info(); }
void clear_base_case_cache() { the_cache().clear(); }
void set_base_case_cache_capacity(std::size_t bytes) { the_cache().set_capacity(bytes); }

std::shared_ptr<const void> detail::cached_base_case(const std::string& key, const std::function<std::shared_ptr<const void>()>& compute,
                                                     const std::function<std::size_t(const void*)>& bytes_of) {
    if (auto found = the_cache().find(key)) return found;
    std::shared_ptr<const void> value = compute();  // outside the lock: other runs go on meanwhile
    the_cache().store(key, value, bytes_of(value.get()));
    return value;
}

}  // namespace apmsim
