// The fuzzer's sacrificial address space: every pointer it hands the kernel
// at random lands here (or at NULL, a kernel or non-canonical address), never
// on its own code, data, stack or heap, because the kernel writes outputs and
// completions wherever it is told.
#ifndef OCF_TESTS_FUZZ_ARENA_HPP
#define OCF_TESTS_FUZZ_ARENA_HPP

#include <cstddef>
#include <cstdint>

namespace ocffuzz {

// splitmix64: small, fast and copyable into a forked child without malloc.
struct rng {
	std::uint64_t s;
	std::uint64_t next()
	{
		std::uint64_t z = (s += 0x9e3779b97f4a7c15ull);
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		return z ^ (z >> 31);
	}
	std::uint32_t below(std::uint32_t n) { return n ? static_cast<std::uint32_t>(next() % n) : 0; }
	bool one_in(std::uint32_t n) { return below(n) == 0; }
	std::uint32_t u32() { return static_cast<std::uint32_t>(next()); }
};

// Layout, from a fixed low address that top-down mmap never reaches:
//   rw:       RW pages, the only valid targets of random pointers
//   guard:    one PROT_NONE page right after rw (buffers straddle into it)
//   ro:       a read-only view of a memfd whose writable view lies outside
//   hole:     unmapped pages (reserved then unmapped: nothing else goes there)
//   island:   one RW page between holes (straddles into an unmapped page)
class arena {
public:
	static constexpr std::uintptr_t base_addr = 0x200000000ull;
	static constexpr std::size_t rw_pages = 512; // room for 1 MiB ops and more

	// Maps it all; false with a message on stderr when it cannot.
	bool map();

	std::uint8_t *rw() const { return rw_; }
	std::size_t rw_size() const { return rw_size_; }
	std::uint8_t *ro() const { return ro_; }
	std::uint8_t *ro_writer() const { return ro_writer_; }
	std::size_t ro_size() const { return ro_size_; }
	std::uint8_t *island() const { return island_; }
	std::size_t page() const { return page_; }

	// A pointer for @len bytes: usually valid in rw, else one of the bad kinds.
	std::uint64_t pointer(rng &r, std::size_t len) const;
	// A valid place in rw for @len bytes (len clipped to the rw size).
	std::uint8_t *valid(rng &r, std::size_t len) const;
	// Where a struct of @len bytes goes: valid, read-only (copied there
	// through the writer view) or bad; @src is what a valid place gets.
	std::uint64_t place(rng &r, const void *src, std::size_t len) const;

private:
	std::uint8_t *rw_ = nullptr, *ro_ = nullptr, *ro_writer_ = nullptr, *island_ = nullptr;
	std::uint8_t *hole_ = nullptr;
	std::size_t rw_size_ = 0, ro_size_ = 0, page_ = 4096;
};

} // namespace ocffuzz

#endif
