// SPDX-License-Identifier: (MIT OR GPL-2.0)
/* Loads one BPF object (argv[1]), attaches its programs, and, when it has a ring buffer map
 * named "rb", drains it every 10 ms, counting the records, until SIGINT or SIGTERM. Sets the
 * object's `self` to this process when it has one. For scripts/bench-floor.sh. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop;
static long records;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int on_record(void *ctx, void *data, size_t len)
{
	(void)ctx, (void)data, (void)len;
	records++;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJECT.o\n", argv[0]);
		return 2;
	}
	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		perror("open");
		return 1;
	}
	struct bpf_map *map;
	static char rodata[4096];
	bpf_object__for_each_map(map, obj) {
		size_t size;
		const void *init;
		if (!strstr(bpf_map__name(map), ".rodata"))
			continue;
		init = bpf_map__initial_value(map, &size);
		if (init && size >= sizeof(__u32) && size <= sizeof(rodata)) {
			/* `self` is the object's only read-only global */
			__u32 self = getpid();
			memcpy(rodata, init, size);
			memcpy(rodata, &self, sizeof(self));
			bpf_map__set_initial_value(map, rodata, size);
		}
	}
	if (bpf_object__load(obj)) {
		fprintf(stderr, "load failed\n");
		return 1;
	}
	struct bpf_program *prog;
	bpf_object__for_each_program(prog, obj) {
		if (!bpf_program__attach(prog)) {
			fprintf(stderr, "attach %s failed\n", bpf_program__name(prog));
			return 1;
		}
	}
	struct ring_buffer *rb = NULL;
	map = bpf_object__find_map_by_name(obj, "rb");
	if (map)
		rb = ring_buffer__new(bpf_map__fd(map), on_record, NULL, NULL);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	fprintf(stderr, "attached\n");
	while (!stop) {
		if (rb)
			ring_buffer__consume(rb);
		usleep(10000);
	}
	if (rb)
		ring_buffer__consume(rb);
	fprintf(stderr, "records %ld\n", records);
	return 0;
}
