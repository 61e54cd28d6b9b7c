# Where a post to the sympathizers circle does not show
group-audience-sympathizers-elsewhere = Some sympathizers follow this group from other servers: a post to the sympathizers circle shows only on coopol. Those on Mastodon, Lemmy or other software will not see it; to reach them, post publicly.
