// ocf.ko's version ioctl, through libocf and raw.
#include <ocf/ocf.hpp>

#include <linux/ocf.h>

#include <catch2/catch.hpp>

#include <cerrno>
#include <fstream>
#include <regex>
#include <sys/ioctl.h>

namespace {

std::string dkms_package_version()
{
	std::ifstream f(OCF_SOURCE_DIR "/dkms.conf");
	std::string line;
	std::smatch m;
	while (std::getline(f, line))
		if (std::regex_match(line, m, std::regex(R"re(PACKAGE_VERSION="?([^"]*)"?)re")))
			return m[1];
	return {};
}

} // namespace

TEST_CASE("libocf reads the ABI and module versions from ocf.ko")
{
	ocf::device dev;
	auto v = dev.version();
	CHECK(v.abi_version == OCF_ABI_VERSION);
	std::ifstream sysfs("/sys/module/ocf/version");
	std::string from_sysfs;
	sysfs >> from_sysfs;
	CHECK(v.module_version == from_sysfs);
	CHECK(v.module_version == dkms_package_version());
}

TEST_CASE("OCF_IOC_VERSION validates its argument")
{
	ocf::device dev;
	struct ocf_version v {};

	SECTION("a size too small for the fields is EINVAL") {
		v.size = 4;
		CHECK(::ioctl(dev.fd(), OCF_IOC_VERSION, &v) == -1);
		CHECK(errno == EINVAL);
	}
	SECTION("non-zero reserved fields are EINVAL") {
		v.size = sizeof(v);
		v.reserved[1] = 1;
		CHECK(::ioctl(dev.fd(), OCF_IOC_VERSION, &v) == -1);
		CHECK(errno == EINVAL);
	}
	SECTION("a bad pointer is EFAULT") {
		CHECK(::ioctl(dev.fd(), OCF_IOC_VERSION, nullptr) == -1);
		CHECK(errno == EFAULT);
	}
	SECTION("a larger struct from a newer program is accepted when its tail is zero") {
		struct {
			struct ocf_version v;
			__u64 future[2];
		} big{};
		big.v.size = sizeof(big);
		REQUIRE(::ioctl(dev.fd(), OCF_IOC_VERSION, &big) == 0);
		CHECK(big.v.abi_version == OCF_ABI_VERSION);
		CHECK(big.v.size == sizeof(struct ocf_version));
		big.v.size = sizeof(big);
		big.future[1] = 7;
		CHECK(::ioctl(dev.fd(), OCF_IOC_VERSION, &big) == -1);
		CHECK(errno == E2BIG);
	}
	SECTION("an unknown ioctl is ENOTTY") {
		CHECK(::ioctl(dev.fd(), _IO(OCF_IOC_MAGIC, 0x7f)) == -1);
		CHECK(errno == ENOTTY);
	}
}
