namespace MLNet.ConvNet.Tests.Examples;

/// <summary>The main example's recipe command, on a slice small enough for the test suite (its full run is in docs/training.md).</summary>
[TestClass]
[TestCategory("Integration")] // runs the example as a process on MNIST
public sealed class RecipeCommandTests
{
    [TestMethod]
    public void Recipe_PrintsARowPerSeedAndTheMedian_AndFailsWhenTheMedianIsBelowTheTarget()
    {
        var (exitCode, output, errors) = TestData.Run(TestData.ScorerAssembly, "recipe", "--data", TestData.MnistDirectory, "--architectures", "LeNot",
            "--seeds", "1,2", "--epochs", "1", "--max-train-rows", "256", "--max-test-rows", "200");
        Assert.AreEqual(1, exitCode, $"One epoch on 256 images cannot reach 98.9%, and the command says so with its exit code. {output} {errors}");
        StringAssert.Contains(output, "Training images: 256");
        StringAssert.Contains(output, "| network | seed | tutorial recipe: test accuracy | seconds | augmented recipe: test accuracy | seconds | epochs |");
        StringAssert.Matches(output, new System.Text.RegularExpressions.Regex(@"\| LeNot \| 1 \| \d+\.\d\d% \| \d+ \| \d+\.\d\d% \| \d+ \| 1 \|"));
        StringAssert.Matches(output, new System.Text.RegularExpressions.Regex(@"\| LeNot \| 2 \| "));
        StringAssert.Matches(output, new System.Text.RegularExpressions.Regex(@"\| LeNot \| median \| \d+\.\d\d% \| \d+ \| \*\*\d+\.\d\d%\*\* \| \d+ \| 1 \|"));
        StringAssert.Contains(output, "A network's median test accuracy with the augmented recipe is below 98.9%.");
    }
}
