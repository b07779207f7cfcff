package main

import (
	mrand "math/rand/v2"
	"strings"
)

// Rollgate's own word lists for RandomPet: lowercase ASCII words, so a pet
// name is safe in DNS labels, tags and resource names.

var petAdverbs = strings.Fields(`
	ably amazingly boldly brightly briskly calmly carefully cheerfully cleanly
	closely cleverly comfortably correctly daily deeply deftly directly eagerly
	easily evenly exactly fairly fondly freely fully gently gladly gracefully
	happily honestly humbly ideally jointly justly keenly kindly largely lightly
	literally lively loosely loyally mainly merely mildly mostly mutually neatly
	newly nicely nimbly normally notably openly over partly patiently plainly
	politely possibly precisely promptly properly proudly purely quickly quietly
	rapidly rarely readily really recently regularly reliably richly rightly
	roughly safely sharply simply slowly smoothly softly solidly steadily
	strongly subtly suddenly surely sweetly swiftly tenderly thoroughly tightly
	truly vastly virtually warmly wholly widely wildly wisely
`)

var petAdjectives = strings.Fields(`
	able active adapted adept agile alert amazing amused apt awake aware
	balanced big blessed bold brave bright brisk calm capable careful caring
	charmed cheerful chief civil clean clear clever close comic cool cosmic
	crisp cuddly curious daring dear decent deep direct driven dynamic eager
	easy elegant enabled epic equal exact excited expert fair faithful famous
	fancy fast fine firm fit fluent flying fond frank free fresh friendly
	funny gentle genuine giving glad glorious golden good grand grateful great
	growing handy happy hardy healthy helpful heroic holy honest hopeful humble
	ideal immense joint jolly jovial just keen kind large lasting legal liberal
	light likely lively living loved loyal lucky magical main major massive
	merry mighty mint modern modest moral moving musical mutual natural neat
	needed new next nice noble normal novel open optimal patient peaceful
	perfect pleasant polished polite popular precious prepared present pretty
	prime pro proper proud pure quick quiet rapid rare ready real refined
	regular relaxed renewed resolved rich right robust rosy rugged safe secure
	sensible set sharp shining simple sincere smart smooth social solid sound
	sparkling special splendid stable steady sterling still strong sunny super
	superb sure sweet swift talented teaching tender thankful tidy tight topical
	tough trusted trusty united upward valid vast verified vital vivid warm
	wanted welcome well whole willing wise witty wonderful worthy
`)

var petNames = strings.Fields(`
	aardvark albatross alpaca anchovy ant anteater antelope ape armadillo
	baboon badger barnacle bat bear beaver bee beetle bison blackbird bluebird
	boa bobcat buffalo bug bull bulldog bunny buzzard camel canary capybara
	cardinal caribou cat catfish cattle centipede chamois cheetah chicken
	chimp chinchilla chipmunk cicada clam cobra cockatoo cod collie condor
	coral cougar cow coyote crab crane crayfish cricket crow cub cuckoo dane
	deer dingo dodo doe dog dolphin donkey dory dove dragon dragonfly duck
	eagle eel egret elephant elk emu falcon fawn ferret finch firefly fish
	flamingo flea fly foal fowl fox frog gazelle gecko gerbil gibbon giraffe
	gnat gnu goat goldfish goose gopher gorilla grouse gull guppy hamster hare
	hawk hedgehog heron herring hippo hog hornet horse hound hummingbird husky
	ibex ibis iguana impala insect jackal jaguar jay jellyfish kangaroo kid
	kingfisher kite kitten kiwi koala koi krill ladybug lamb lark lemming
	lemur leopard lion lizard llama lobster locust loon lynx macaw magpie
	mako mallard mammoth manatee mandrill mantis marlin marmot marten mastiff
	meerkat mink minnow mole mongoose monkey moose mosquito moth mouse mule
	mustang narwhal newt nightingale ocelot octopus opossum orca oriole ostrich
	otter owl ox oyster panda panther parrot peacock pelican penguin perch
	pheasant pig pigeon pika pike piranha platypus polecat pony poodle porpoise
	possum prawn puffin puma python quagga quail rabbit raccoon ram rat raven
	ray redbird reindeer reptile rhino robin rodent rooster salmon sardine
	scorpion seahorse seal shark sheep shrew shrimp skink skunk sloth slug
	snail snake snipe sparrow spider squid squirrel stag starfish stingray
	stork sturgeon swallow swan swift tadpole tapir termite tern terrier tick
	tiger toad tortoise toucan trout tuna turkey turtle unicorn urchin viper
	vulture wallaby walrus warthog wasp weasel whale whippet wildcat wolf
	wolverine wombat woodpecker worm wren yak zebra
`)

// petName returns words random words: adverbs, then an adjective, then an
// animal (one word is just an animal; two are an adjective and an animal).
func petName(r *mrand.Rand, words int, separator string) string {
	pick := func(list []string) string { return list[r.IntN(len(list))] }
	out := make([]string, 0, words)
	for i := 0; i < words-2; i++ {
		out = append(out, pick(petAdverbs))
	}
	if words >= 2 {
		out = append(out, pick(petAdjectives))
	}
	out = append(out, pick(petNames))
	return strings.Join(out, separator)
}
