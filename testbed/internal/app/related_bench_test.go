package app

import (
	"strconv"
	"testing"
	"time"
)

func benchCands(n int) (relClip, []relClip) {
	t := relClip{Clip: Clip{ID: 1, Title: "Epic clutch noscope dragon raid", BroadcasterName: "streamer1", CreatedAt: time.Now()}, tagIDs: []int32{1, 2, 3}}
	c := make([]relClip, n)
	for i := range c {
		c[i] = relClip{Clip: Clip{ID: int64(i + 2), Title: "Insane clutch win number " + strconv.Itoa(i) + " dragon", VoteScore: i, CreatedAt: time.Now().Add(-time.Duration(i) * time.Hour)}, tagIDs: []int32{int32(i % 5), 2, 7}}
	}
	return t, c
}

func BenchmarkScoreRelatedClips(b *testing.B) {
	t, c := benchCands(FromEnv().RelatedPoolMax)
	rounds := FromEnv().RelatedRounds
	for b.Loop() {
		scoreRelatedClips(t, c, rounds, 10)
	}
}

func BenchmarkRankRelatedClips(b *testing.B) {
	t, c := benchCands(FromEnv().RelatedPoolMax)
	for b.Loop() {
		rankRelatedClips(t, c, 10)
	}
}
