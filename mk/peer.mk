# The peer channel between ckptd instances (daemon/peer/): framing,
# authentication (OpenSSL's libcrypto for HMAC-SHA256) and image
# transfer.  Linked into ckptd; the host tests link it too.

PEER_SRCS := $(wildcard daemon/peer/*.c)
PEER_OBJS := $(PEER_SRCS:%.c=$(BUILD)/obj/%.o)
PEER_LIBS  = $(shell pkg-config --libs libcrypto)

$(BUILD)/bin/ckptd: $(PEER_OBJS)
