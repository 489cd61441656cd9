#include "arena.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sys/mman.h>
#include <unistd.h>

namespace ocffuzz {

namespace {

constexpr std::size_t ro_pages = 16, hole_pages = 8;

bool fixed(void *at, std::size_t len, int prot, int flags, int fd = -1)
{
	void *p = ::mmap(at, len, prot, flags | MAP_FIXED, fd, 0);
	if (p == MAP_FAILED || p != at) {
		std::fprintf(stderr, "ocf_fuzz: mmap at %p: %s\n", at, std::strerror(errno));
		return false;
	}
	return true;
}

} // namespace

bool arena::map()
{
	page_ = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
	rw_size_ = rw_pages * page_;
	ro_size_ = ro_pages * page_;
	const std::size_t total = rw_size_ + page_ + ro_size_ + hole_pages * page_ + page_ +
				  hole_pages * page_;
	auto *base = reinterpret_cast<std::uint8_t *>(base_addr);
	// Reserve the whole range first so that nothing else of ours lands in it.
	void *p = ::mmap(base, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			 -1, 0);
	if (p != base) {
		std::fprintf(stderr, "ocf_fuzz: cannot reserve the arena at %p: %s\n",
			     static_cast<void *>(base), std::strerror(errno));
		return false;
	}
	rw_ = base;
	if (!fixed(rw_, rw_size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS))
		return false;
	std::memset(rw_, 0x5a, rw_size_);
	// rw_ + rw_size_ stays PROT_NONE: the guard.
	ro_ = rw_ + rw_size_ + page_;
	int fd = ::memfd_create("ocf_fuzz_ro", MFD_CLOEXEC);
	if (fd < 0 || ::ftruncate(fd, static_cast<off_t>(ro_size_))) {
		std::perror("ocf_fuzz: memfd");
		return false;
	}
	if (!fixed(ro_, ro_size_, PROT_READ, MAP_SHARED, fd))
		return false;
	void *w = ::mmap(nullptr, ro_size_, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	::close(fd);
	if (w == MAP_FAILED) {
		std::perror("ocf_fuzz: mmap the writer view");
		return false;
	}
	ro_writer_ = static_cast<std::uint8_t *>(w);
	hole_ = ro_ + ro_size_;
	island_ = hole_ + hole_pages * page_;
	if (!fixed(island_, page_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS))
		return false;
	// The holes stay inside the reservation's span: top-down mmap never
	// comes down to this address, so unmapped they stay.
	if (::munmap(hole_, hole_pages * page_) || ::munmap(island_ + page_, hole_pages * page_)) {
		std::perror("ocf_fuzz: munmap");
		return false;
	}
	return true;
}

std::uint8_t *arena::valid(rng &r, std::size_t len) const
{
	if (len >= rw_size_)
		return rw_;
	std::size_t off = r.next() % (rw_size_ - len + 1);
	switch (r.below(4)) {
	case 0:
		off &= ~(page_ - 1); // page aligned
		break;
	case 1:
		off &= ~std::size_t{63};
		break;
	default:
		break;
	}
	return rw_ + off;
}

std::uint64_t arena::pointer(rng &r, std::size_t len) const
{
	const std::uint32_t k = r.below(100);
	const std::size_t in = std::max<std::size_t>(len, 1);
	if (k < 55)
		return reinterpret_cast<std::uintptr_t>(valid(r, len));
	if (k < 60)
		return 0;
	if (k < 64) // below mmap_min_addr: never mappable
		return 0x1000u * (1 + r.below(15)) + r.below(4096);
	if (k < 68)
		return reinterpret_cast<std::uintptr_t>(hole_) + r.below(static_cast<std::uint32_t>(hole_pages * page_));
	if (k < 72) {
		static constexpr std::uint64_t kernel[] = {0xffff888000000000ull, 0xffffffff81000000ull,
							   0xffffc90000000000ull, 0xffffffffff600000ull};
		return kernel[r.below(4)] + (r.next() & 0xffffff0ull);
	}
	if (k < 75)
		return r.one_in(2) ? 0x0000800000000000ull + (r.next() & 0xffffffffull)
				   : 0x8000000000000000ull | r.next();
	if (k < 82)
		return reinterpret_cast<std::uintptr_t>(ro_) +
		       (in < ro_size_ ? r.next() % (ro_size_ - in + 1) : 0);
	if (k < 90) // the last bytes of rw, running into the guard page
		return reinterpret_cast<std::uintptr_t>(rw_ + rw_size_) - 1 -
		       (in > 1 ? r.next() % std::min(in - 1, rw_size_) : 0);
	if (k < 94) // the island's last bytes, running into an unmapped page
		return reinterpret_cast<std::uintptr_t>(island_ + page_) - 1 -
		       (in > 1 ? r.next() % std::min(in - 1, page_) : 0);
	if (k < 97)
		return reinterpret_cast<std::uintptr_t>(rw_ + rw_size_) + r.below(static_cast<std::uint32_t>(page_));
	return r.next();
}

std::uint64_t arena::place(rng &r, const void *src, std::size_t len) const
{
	const std::uint32_t k = r.below(100);
	if (k < 82 || len > ro_size_) {
		std::uint8_t *p = valid(r, len);
		std::memcpy(p, src, std::min(len, rw_size_));
		return reinterpret_cast<std::uintptr_t>(p);
	}
	if (k < 88) {
		const std::size_t off = r.next() % (ro_size_ - len + 1);
		std::memcpy(ro_writer_ + off, src, len);
		return reinterpret_cast<std::uintptr_t>(ro_ + off);
	}
	if (k < 93 && len > 1) { // the struct's head fits, its tail is in the guard page
		const std::size_t fits = 1 + r.next() % (len - 1);
		std::uint8_t *p = rw_ + rw_size_ - fits;
		std::memcpy(p, src, fits);
		return reinterpret_cast<std::uintptr_t>(p);
	}
	return pointer(r, len);
}

} // namespace ocffuzz
