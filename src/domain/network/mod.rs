//! Networks and forums, their seats and meetings.

crate::versioned!(network, "Network", "network", searchable);
crate::versioned!(membership, "NetworkMembership", "seat");
crate::versioned!(meeting, "Meeting", "meeting");
