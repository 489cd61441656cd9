// libocf's errors when the device is missing or may not be opened.
#include <ocf/ocf.hpp>

#include <catch2/catch.hpp>

#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

std::string scratch_path(const char *name)
{
	const char *tmp = std::getenv("TMPDIR");
	return std::string(tmp ? tmp : "/tmp") + "/" + name + "." + std::to_string(::getpid());
}

} // namespace

TEST_CASE("a missing device node gives -ENOENT through the C API")
{
	ocf_device *dev = reinterpret_cast<ocf_device *>(0x1);
	int ret = ocf_device_open("/nonexistent/ocf", &dev);
	CHECK(ret == -ENOENT);
	CHECK(dev == nullptr);
	CHECK(std::string(ocf_strerror(ret)).find("module") != std::string::npos);
}

TEST_CASE("a missing device node gives an error_code, or an exception, in C++")
{
	std::error_code ec;
	auto dev = ocf::device::open("/nonexistent/ocf", ec);
	CHECK(ec == std::errc::no_such_file_or_directory);
	CHECK_FALSE(dev.valid());
	CHECK_THROWS_AS(ocf::device("/nonexistent/ocf"), std::system_error);
}

TEST_CASE("a device the caller may not open gives -EACCES")
{
	// Root bypasses file modes, so the check runs in a child that drops to nobody.
	std::string path = scratch_path("ocf-noaccess");
	int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
	REQUIRE(fd >= 0);
	::close(fd);
	REQUIRE(::chmod(path.c_str(), 0600) == 0);

	pid_t pid = ::fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		if (::getuid() == 0 && (::setgid(65534) || ::setuid(65534)))
			::_exit(10);
		ocf_device *dev = nullptr;
		int ret = ocf_device_open(path.c_str(), &dev);
		::_exit(ret == -EACCES ? 0 : 1);
	}
	int status = 0;
	REQUIRE(::waitpid(pid, &status, 0) == pid);
	::unlink(path.c_str());
	REQUIRE(WIFEXITED(status));
	CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("calls on a null handle fail cleanly")
{
	uint32_t abi = 0;
	CHECK(ocf_device_version(nullptr, &abi, nullptr, 0) == -EINVAL);
	CHECK(ocf_device_open(nullptr, nullptr) == -EINVAL);
	ocf_device_close(nullptr);
	CHECK(ocf_device_fd(nullptr) == -1);
}
