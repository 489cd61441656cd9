/* A C program of libocf's C API: built against the installed package by
 * CMake (find_package(ocf), a C-only project) and by cc -locf, with no C++
 * runtime on its link line. */
#include <ocf/ocf.h>

#include <stdio.h>

int main(void)
{
	struct ocf_op op;
	unsigned char buf[32];

	if (ocf_op_digest(&op, 1, OCF_OP_ENCRYPT, buf, NULL, 40, 32) != -22)
		return 1;
	printf("libocf C API: %s\n", ocf_alg_name(OCF_CIPHER_AES_CBC));
	return 0;
}
