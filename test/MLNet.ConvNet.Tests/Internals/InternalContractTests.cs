using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.ConvNet.Common;

namespace MLNet.ConvNet.Tests.Internals;

/// <summary>
/// MLNet.ConvNet reaches ML.NET internals (docs/design.md). These tests fail loudly, naming the member,
/// when an ML.NET update moves or changes one of them.
/// </summary>
[TestClass]
public sealed class InternalContractTests
{
    private static readonly Assembly Core = typeof(ModelSaveContext).Assembly;
    private static readonly Assembly Data = typeof(RowToRowTransformerBase).Assembly;
    private const BindingFlags Any = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;

    [TestMethod]
    public void MicrosoftML_IsAVersionTheInternalsWereCheckedAgainst_AndTheOneThisStackNames()
    {
        // Run on each stack (.ci/run: the whole suite on 6, the fast tier on 5), so each checked version passes the member checks below.
        string stack = typeof(InternalContractTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "MLNetVersion").Value;
        foreach (var assembly in new[] { Core, Data })
        {
            string version = MLNetVersion.Of(assembly);
            CollectionAssert.Contains(MLNetVersion.Checked.ToList(), version, $"{assembly.GetName().Name} is {version}; MLNet.ConvNet was checked against {string.Join(" and ", MLNetVersion.Checked)}. Run these tests on it and follow docs/design.md's checklist before adding it.");
            Assert.AreEqual(stack, version, $"{assembly.GetName().Name}: the build asked for the ML.NET {stack} stack");
        }
        Assert.AreEqual(MLNetVersion.Running, MLNetVersion.Of(Core));
        Assert.IsNull(MLNetVersion.Warning());
    }

    [TestMethod]
    public void AnMLNetThatWasNotChecked_GetsAWarningNamingIt_AndTheCheckedOnes()
    {
        string warning = MLNetVersion.Warning("6.1.0");
        StringAssert.Contains(warning, "Microsoft.ML 6.1.0");
        StringAssert.Contains(warning, "checked against Microsoft.ML 5.0.1 and 6.0.0");
        Assert.IsNull(MLNetVersion.Warning("5.0.1"));
        Assert.IsNull(MLNetVersion.Warning("6.0.0"));
    }

    [TestMethod]
    [DataRow("Microsoft.ML.ModelSaveContext", "SetVersionInfo")]
    [DataRow("Microsoft.ML.ModelSaveContext", "SaveBinaryStream")]
    [DataRow("Microsoft.ML.ModelSaveContext", "CheckAtModel")]
    [DataRow("Microsoft.ML.ModelLoadContext", "TryLoadBinaryStream")]
    [DataRow("Microsoft.ML.ModelLoadContext", "CheckAtModel")]
    [DataRow("Microsoft.ML.Runtime.IHostEnvironmentInternal", "get_Seed")]
    [DataRow("Microsoft.ML.Data.AnnotationUtils", "GetTrainerOutputAnnotation")]
    [DataRow("Microsoft.ML.Data.AnnotationUtils", "AnnotationsForMulticlassScoreColumn")]
    [DataRow("Microsoft.ML.Data.AnnotationUtils", "GetMaxAnnotationKind")]
    [DataRow("Microsoft.ML.Data.RowToRowTransformerBase", "MakeRowMapper")]
    [DataRow("Microsoft.ML.Data.RowToRowTransformerBase", "SaveModel")]
    [DataRow("Microsoft.ML.Data.IO.BinarySaver", "TryWriteTypeAndValue")]
    [DataRow("Microsoft.ML.Data.IO.BinarySaver", "TryLoadTypeAndValue")]
    [DataRow("Microsoft.ML.TrainerInfo", ".ctor")]
    [DataRow("Microsoft.ML.ISingleFeaturePredictionTransformer", "get_FeatureColumnName")]
    [DataRow("Microsoft.ML.Model.OnnxConverter.OnnxContext", "AddIntermediateVariable")]
    [DataRow("Microsoft.ML.Model.OnnxConverter.OnnxContext", "CreateNode")]
    [DataRow("Microsoft.ML.Model.OnnxConverter.OnnxContext", "AddInitializer")]
    [DataRow("Microsoft.ML.Model.OnnxConverter.OnnxContext", "CheckOpSetVersion")]
    [DataRow("Microsoft.ML.Model.OnnxConverter.ISaveAsOnnx", "SaveAsOnnx")]
    [DataRow("Microsoft.ML.Model.OnnxConverter.ICanSaveOnnx", "CanSaveOnnx")]
    public void InternalMemberWeUse_StillExists(string typeName, string member)
    {
        var type = Core.GetType(typeName) ?? Data.GetType(typeName);
        Assert.IsNotNull(type, $"ML.NET no longer has {typeName}.");
        Assert.IsTrue(type.GetMember(member, Any).Length > 0, $"ML.NET's {typeName} no longer has {member}.");
    }

    [TestMethod]
    public void LoadableClass_RegistersOurLoader_WithTheSignatureSavedModelsCarry()
    {
        var loadNames = typeof(ConvNetTransformer).Assembly.GetCustomAttributes()
            .Where(a => a.GetType().Name == "LoadableClassAttribute")
            .SelectMany(a => (string[])a.GetType().GetProperty("LoadNames", Any).GetValue(a)).ToList();
        // The transformer, and the image loader ConvNetImageFeatures puts in models trained on image files.
        CollectionAssert.AreEquivalent(new[] { "ConvNetTransformer", "ConvNetImageLoader" }, loadNames);
    }
}
